/*
 * The primary QEMU: per replicated disk, the local disk (raw) and the replication(primary) node over
 * an NBD client connected to the secondary's colo1 export, both children of a quorum node
 * (vote-threshold 1, read-pattern fifo); the primary VM's disk is a BlockBackend on the quorum,
 * exported for the scenario's guest I/O. Crash points: before a request leaves over the link, and
 * when the local disk has finished a write.
 */
import { BlockBackend } from '../block/BlockBackend.js';
import { drainedBegin } from '../block/drain.js';
import { RawNode } from '../block/RawNode.js';
import { nodeNotFound } from '../replication/messages.js';
import { openReplication } from '../replication/openReplication.js';
import { QemuError } from '../replication/QemuError.js';
import type { ReplicationNode } from '../replication/ReplicationNode.js';
import type { SimEnv } from '../sim/SimEnv.js';
import { NbdClientNode } from './NbdClientNode.js';
import { type PairConfig, diskSuffix, exportName } from './PairConfig.js';
import { QuorumNode } from './QuorumNode.js';
import { SecondarySide } from './SecondarySide.js';
import { Side } from './Side.js';

export interface PrimaryDisk {
  readonly index: number;
  readonly local: RawNode;
  readonly link: NbdClientNode;
  readonly replication: ReplicationNode;
  readonly quorum: QuorumNode;
  readonly vm: BlockBackend;
}

export class PrimarySide extends Side {
  readonly disks: PrimaryDisk[] = [];

  constructor(env: SimEnv, config: PairConfig, peer: SecondarySide) {
    super(env, 'primary');
    for (let i = 0; i < config.disks; i++) this.disks.push(this.buildDisk(i, config, peer));
  }

  /** x-blockdev-change: take the replication child out of every quorum (the secondary is gone). */
  removeReplicationChildren(): Promise<void> {
    return this.command('x-blockdev-change', async () => {
      for (const d of this.disks) await this.detachFromQuorum(d);
    });
  }

  /** x-blockdev-change, then blockdev-del of disk `index`'s replication node. */
  deleteReplication(index: number): Promise<void> {
    return this.command('blockdev-del', async () => {
      const d = this.disks[index]!;
      if (!d.replication.open) throw new QemuError(nodeNotFound(d.replication.name));
      await this.detachFromQuorum(d);
      this.server.remove(exportName('primary', 'replication', index));
      await d.replication.close();
      this.registry.removeNode(d.replication.name);
    });
  }

  private async detachFromQuorum(d: PrimaryDisk): Promise<void> {
    if (d.quorum.childCount < 2) return;
    const section = await drainedBegin(d.quorum, `x-blockdev-change on ${d.quorum.name}`);
    try {
      d.quorum.removeLastChild();
    } finally {
      section.end();
    }
  }

  private buildDisk(index: number, config: PairConfig, peer: SecondarySide): PrimaryDisk {
    const sfx = diskSuffix(index);
    const env = this.env;
    const local = this.diskNode(new RawNode(env, `primary-disk${sfx}`, config.sizeBytes, { fill: config.pattern }), 'raw', config);
    const coloName = SecondarySide.coloExport(index);
    const link = new NbdClientNode(env, {
      name: `link${sfx}`,
      connect: () => (peer.alive ? (peer.server.get(coloName) ?? null) : null),
      peerAlive: () => peer.alive,
      sizeBytes: config.sizeBytes,
      latencyTicks: config.timing.linkLatencyTicks,
      crashPoint: (point) => this.crashPoint(point),
    });
    const replication = openReplication(env, {
      name: `replication-primary${sfx}`,
      mode: 'primary',
      file: link,
      ...this.replicationContext(config),
    });
    const quorum = new QuorumNode(env, {
      name: `quorum${sfx}`,
      children: [local, replication],
      afterLocalWrite: () => this.crashPoint('primary:after-local-write'),
    });
    for (const node of [link, replication, quorum]) this.registry.addNode(node);
    this.exported(new BlockBackend(exportName('primary', 'replication', index), replication));
    this.exported(new BlockBackend(exportName('primary', 'disk', index), local));
    const vm = this.exported(new BlockBackend(exportName('primary', 'vm', index), quorum));
    return { index, local, link, replication, quorum, vm };
  }
}
