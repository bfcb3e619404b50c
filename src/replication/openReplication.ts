/*
 * replication_open: the option checks made when the node is created (-drive / blockdev-add), in
 * QEMU's order with QEMU's messages, before the node registers with the framework.
 */
import type { BlockNode } from '../block/BlockNode.js';
import type { SimEnv } from '../sim/SimEnv.js';
import { MSG } from './messages.js';
import { QemuError } from './QemuError.js';
import { ReplicationNode, type ReplicationNodeOptions } from './ReplicationNode.js';

export interface ReplicationOpenOptions extends Omit<ReplicationNodeOptions, 'mode' | 'file' | 'topId'> {
  /** The raw option strings, as a user would give them. */
  readonly mode?: string;
  readonly topId?: string;
  readonly file?: BlockNode;
}

export function openReplication(env: SimEnv, options: ReplicationOpenOptions): ReplicationNode {
  const { mode, topId, file } = options;
  if (!file) throw new QemuError(MSG.fileMissing);
  if (mode === undefined) throw new QemuError(MSG.modeMissing);
  if (mode === 'primary') {
    if (topId !== undefined && !options.rules.primaryAcceptsTopId) throw new QemuError(MSG.primaryTopId);
    return new ReplicationNode(env, { ...options, mode, file, topId: undefined });
  }
  if (mode === 'secondary') {
    if (topId === undefined) throw new QemuError(MSG.topIdMissing);
    return new ReplicationNode(env, { ...options, mode, file, topId });
  }
  throw new QemuError(MSG.badMode);
}
