/*
 * The two QEMU processes of one scenario with their block graphs built (Topology.ts), and the NBD
 * connections the VMs' I/O goes through (opened lazily, one per export). A side that a failover
 * killed is "lost": its process is gone and steps addressed to it answer SIDE_LOST. dispose()
 * closes every connection and stops both processes, whatever state they are in.
 */
import type { Side } from '../scenario/Scenario.js';
import type { DiskFaultRules, DiskFiles, DiskNames } from './Topology.js';
import {
  exportArgs,
  nbdServerStartArgs,
  primaryDiskSpec,
  primaryReplicationSpec,
  quorumSpec,
  secondaryDiskSpec,
  secondaryReplicationSpec,
} from './Topology.js';
import { NbdClient } from './NbdClient.js';
import { QemuAdapterError } from './QemuAdapterError.js';
import { QemuProcess } from './QemuProcess.js';
import { QmpError } from './QmpError.js';

export interface PairDisk {
  readonly names: DiskNames;
  readonly files: DiskFiles;
  readonly rules: DiskFaultRules;
}

export interface PairOptions {
  readonly binary: string;
  readonly timeoutMs: number;
  readonly disks: readonly PairDisk[];
  /** Where the images are (QEMU messages name them by path). */
  readonly imageDir: string;
}

export class QemuPair {
  readonly lost = new Set<Side>();
  /** Disks whose replication node a close step deleted, per side. */
  readonly closed = { primary: new Set<number>(), secondary: new Set<number>() };
  private readonly nbd = new Map<string, Promise<NbdClient>>();

  private constructor(
    readonly primary: QemuProcess,
    readonly secondary: QemuProcess,
    readonly options: PairOptions,
  ) {}

  static async create(options: PairOptions): Promise<QemuPair> {
    const started = await Promise.allSettled([
      QemuProcess.start({ label: 'primary', binary: options.binary, timeoutMs: options.timeoutMs }),
      QemuProcess.start({ label: 'secondary', binary: options.binary, timeoutMs: options.timeoutMs }),
    ]);
    const [primary, secondary] = started;
    if (primary.status === 'rejected' || secondary.status === 'rejected') {
      await Promise.all(started.map((s) => (s.status === 'fulfilled' ? s.value.kill() : undefined)));
      throw (primary.status === 'rejected' ? primary.reason : (secondary as PromiseRejectedResult).reason) as Error;
    }
    const pair = new QemuPair(primary.value, secondary.value, options);
    try {
      await pair.buildSecondary();
      await pair.buildPrimary();
    } catch (error) {
      await pair.dispose();
      throw error;
    }
    return pair;
  }

  process(side: Side): QemuProcess {
    return side === 'primary' ? this.primary : this.secondary;
  }

  get disks(): readonly PairDisk[] {
    return this.options.disks;
  }

  /** The temp directories whose paths QEMU messages may contain. */
  get dirs(): string[] {
    return [this.options.imageDir, this.primary.dir, this.secondary.dir];
  }

  /**
   * The NBD connection to a VM's disk: the quorum on the primary, the replication node on the
   * secondary; with `secondaryDisk`, the secondary disk's own export (where forwarded primary writes land).
   */
  connection(vm: Side, disk: number, secondaryDisk = false): Promise<NbdClient> {
    const key = `${vm}:${disk}${secondaryDisk ? ':disk' : ''}`;
    let client = this.nbd.get(key);
    if (client === undefined) {
      const names = this.disks[disk]!.names;
      const exportName = vm === 'primary' ? names.pvmExport : secondaryDisk ? names.secondaryDiskExport : names.svmExport;
      client = NbdClient.connect({ socketPath: this.process(vm).path('nbd.sock'), exportName, timeoutMs: this.options.timeoutMs });
      this.nbd.set(key, client);
      client.catch(() => this.nbd.delete(key));
    }
    return client;
  }

  /** Forget (and close) a VM's connection, e.g. before its export is deleted. */
  async dropConnection(vm: Side, disk: number): Promise<void> {
    const key = `${vm}:${disk}`;
    const client = this.nbd.get(key);
    this.nbd.delete(key);
    if (client !== undefined) await (await client.catch(() => undefined))?.disconnect();
  }

  /** Kill one side (SIGKILL, like a host crash) and mark it lost. */
  async killSide(side: Side): Promise<void> {
    this.lost.add(side);
    for (const [key, client] of [...this.nbd.entries()]) {
      if (!key.startsWith(`${side}:`)) continue;
      this.nbd.delete(key);
      void client.then((c) => c.disconnect()).catch(() => undefined);
    }
    await this.process(side).kill();
  }

  async dispose(): Promise<void> {
    const clients = [...this.nbd.values()];
    this.nbd.clear();
    await Promise.all(clients.map((c) => c.then((client) => client.disconnect()).catch(() => undefined)));
    await Promise.all([this.primary.stop(), this.secondary.stop()]);
  }

  private async buildSecondary(): Promise<void> {
    const qmp = this.secondary.qmp;
    await setup(qmp.execute('nbd-server-start', nbdServerStartArgs(this.secondary.path('nbd.sock'))), 'secondary nbd-server-start');
    for (const disk of this.disks) {
      const n = disk.names;
      await setup(qmp.execute('blockdev-add', secondaryDiskSpec(n, disk.files, disk.rules)), `secondary blockdev-add ${n.secondaryDisk}`);
      // The export gives the secondary disk the BlockBackend replication's start requires.
      await setup(qmp.execute('block-export-add', exportArgs(n.secondaryDiskExport, n.secondaryDisk)), `secondary export ${n.secondaryDisk}`);
      await setup(qmp.execute('blockdev-add', secondaryReplicationSpec(n, disk.files, disk.rules)), `secondary blockdev-add ${n.secondaryReplication}`);
      await setup(qmp.execute('block-export-add', exportArgs(n.svmExport, n.secondaryReplication)), `secondary export ${n.svmExport}`);
    }
  }

  private async buildPrimary(): Promise<void> {
    const qmp = this.primary.qmp;
    await setup(qmp.execute('nbd-server-start', nbdServerStartArgs(this.primary.path('nbd.sock'))), 'primary nbd-server-start');
    for (const disk of this.disks) {
      const n = disk.names;
      await setup(qmp.execute('blockdev-add', primaryDiskSpec(n, disk.files, disk.rules)), `primary blockdev-add ${n.primaryDisk}`);
      await setup(qmp.execute('blockdev-add', quorumSpec(n)), `primary blockdev-add ${n.quorum}`);
      const replication = primaryReplicationSpec(n, this.secondary.path('nbd.sock'), disk.rules);
      await setup(qmp.execute('blockdev-add', replication), `primary blockdev-add ${n.primaryReplication}`);
      await setup(qmp.execute('x-blockdev-change', { parent: n.quorum, node: n.primaryReplication }), `primary x-blockdev-change ${n.quorum}`);
      await setup(qmp.execute('block-export-add', exportArgs(n.pvmExport, n.quorum)), `primary export ${n.pvmExport}`);
    }
  }
}

/** Topology commands must succeed; a QMP error here is a bug in the adapter, not a scenario result. */
async function setup(call: Promise<unknown>, what: string): Promise<void> {
  try {
    await call;
  } catch (error) {
    if (error instanceof QmpError) throw new QemuAdapterError('QEMU_TOPOLOGY', `${what} failed: ${error.desc}`, { cause: error });
    throw error;
  }
}

