/*
 * The secondary QEMU: per replicated disk, the secondary disk (raw) under the BlockBackend colo1,
 * exported over NBD for the primary's forwarded writes; the hidden and active overlays on top of
 * it; the replication(secondary) node over active, whose top-id is itself; and the secondary VM's
 * disk, a BlockBackend on the replication node, exported for the scenario's guest I/O.
 */
import { BlockBackend } from '../block/BlockBackend.js';
import { OverlayNode } from '../block/OverlayNode.js';
import { RawNode } from '../block/RawNode.js';
import { nodeNotFound } from '../replication/messages.js';
import { openReplication } from '../replication/openReplication.js';
import { QemuError } from '../replication/QemuError.js';
import type { ReplicationNode } from '../replication/ReplicationNode.js';
import type { SimEnv } from '../sim/SimEnv.js';
import { type PairConfig, diskSuffix, exportName } from './PairConfig.js';
import { Side } from './Side.js';

export interface SecondaryDisk {
  readonly index: number;
  readonly disk: RawNode;
  /** The secondary disk's BlockBackend (null in the chain variant without one). */
  readonly colo: BlockBackend | null;
  readonly hidden: OverlayNode;
  readonly active: OverlayNode;
  readonly replication: ReplicationNode;
  readonly vm: BlockBackend;
}

export class SecondarySide extends Side {
  readonly disks: SecondaryDisk[] = [];

  constructor(env: SimEnv, config: PairConfig) {
    super(env, 'secondary');
    for (let i = 0; i < config.disks; i++) this.disks.push(this.buildDisk(i, config));
  }

  /** Name of the NBD export of disk `index`'s secondary disk (what the primary connects to). */
  static coloExport(index: number): string {
    return `colo1${diskSuffix(index)}`;
  }

  /** blockdev-del of disk `index`'s replication node, after taking its NBD export away. */
  deleteReplication(index: number): Promise<void> {
    return this.command('blockdev-del', async () => {
      const d = this.disks[index]!;
      if (!d.replication.open) throw new QemuError(nodeNotFound(d.replication.name));
      d.replication.checkDeletable();
      this.server.remove(exportName('secondary', 'vm', index));
      await d.replication.close();
      this.registry.removeNode(d.replication.name);
    });
  }

  private buildDisk(index: number, config: PairConfig): SecondaryDisk {
    const sfx = diskSuffix(index);
    const env = this.env;
    const chain = config.chain;
    const disk = this.diskNode(new RawNode(env, `secondary-disk${sfx}`, config.sizeBytes, { fill: config.pattern }), 'raw', config);
    const hidden = this.diskNode(new OverlayNode(env, `hidden-disk${sfx}`, config.sizeBytes), 'qcow2', config);
    if (chain !== 'hidden-without-backing') hidden.attach('backing', disk);
    const activeSize = chain === 'active-length-differs' ? 2 * config.sizeBytes : config.sizeBytes;
    const noMakeEmpty = chain === 'active-without-make-empty';
    const active = this.diskNode(new OverlayNode(env, `active-disk${sfx}`, activeSize, { makeEmpty: !noMakeEmpty }), noMakeEmpty ? 'qed' : 'qcow2', config);
    if (chain !== 'active-without-backing') active.attach('backing', hidden);
    const name = `replication-secondary${sfx}`;
    const replication = openReplication(env, {
      name,
      mode: 'secondary',
      topId: chain === 'top-id-unknown' ? 'no-such-node' : name,
      file: active,
      ...this.replicationContext(config),
    });
    this.registry.addNode(replication);
    const vm = this.exported(new BlockBackend(exportName('secondary', 'vm', index), replication));
    // Without a BlockBackend on the secondary disk (a bare node) there is nothing to export either.
    let colo: BlockBackend | null = null;
    if (chain !== 'secondary-without-backend') {
      colo = this.exported(new BlockBackend(SecondarySide.coloExport(index), disk));
      this.exported(new BlockBackend(exportName('secondary', 'disk', index), disk));
    }
    return { index, disk, colo, hidden, active, replication, vm };
  }
}
