/*
 * The two QEMU processes of one scenario with their block graphs built (Topology.ts), the NBD
 * exports each side has right now, and the NBD connections the scenario's I/O goes through (opened
 * lazily, one per export). A side that a failover killed, or that crashed, is "lost": its process
 * is gone and steps addressed to it answer SIDE_LOST. dispose() closes every connection and stops
 * both processes, whatever state they are in.
 */
import { statSync } from 'node:fs';
import type { ChainVariant, Side } from '../scenario/Scenario.js';
import type { DiskFaultRules, DiskFiles, DiskNames } from './Topology.js';
import {
  exportArgs,
  nbdServerStartArgs,
  primaryDiskSpec,
  primaryReplicationSpec,
  quorumSpec,
  secondaryDiskSpec,
  secondaryReplicationSpec,
  standaloneHiddenSpec,
  throttleGroupArgs,
} from './Topology.js';
import { NbdClient } from './NbdClient.js';
import { normaliseMessage } from './normaliseMessage.js';
import { QemuAdapterError } from './QemuAdapterError.js';
import { QemuProcess, describeExit, withLastOutput } from './QemuProcess.js';
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
  /** How the secondary's chain is built (default "standard"). */
  readonly chain?: ChainVariant;
  /** Pace every write to the secondary disks (so a failover commit lasts long enough to meet other steps). */
  readonly secondaryWriteBytesPerSecond?: number;
  /** qcow2 runtime options (e.g. "l2-cache-size") given to the active and hidden disk nodes. */
  readonly qcow2Options?: Readonly<Record<string, unknown>>;
  /**
   * Concurrent sub-steps each get NBD connections of their own (issue 12 §3); QEMU may then apply
   * overlapping writes of one concurrent step in either order, so the differential comparison
   * takes the answers of every order (src/check/admissibleAnswers.ts). Off unless set here;
   * QemuBackend sets it unless the session asks for serial connections.
   */
  readonly parallelConnections?: boolean;
}

const THROTTLE_GROUP = 'secondary-disk-pace';

/** [primary, secondary] */
type ProcessPair = readonly [QemuProcess, QemuProcess];

export class QemuPair {
  readonly lost = new Set<Side>();
  /** Sides that died without colosim killing them, with what was seen (e.g. "killed by SIGSEGV"). */
  readonly crashed = new Map<Side, string>();
  /** Crashed sides a step has already answered CRASH for (later steps get SIDE_LOST). */
  readonly crashReported = new Set<Side>();
  /** The NBD exports each side has now (failover and close take some away). */
  readonly exports = { primary: new Set<string>(), secondary: new Set<string>() };
  /** Disks whose primary replication node is (still) a child of its quorum. */
  readonly inQuorum = new Set<number>();
  private readonly nbd = new Map<string, Promise<NbdClient>>();

  private constructor(
    readonly primary: QemuProcess,
    readonly secondary: QemuProcess,
    readonly options: PairOptions,
  ) {}

  /** Start a primary and a secondary process (QMP ready, no block graph yet). */
  private static async startProcesses(binary: string, timeoutMs: number): Promise<ProcessPair> {
    const started = await Promise.allSettled([
      QemuProcess.start({ label: 'primary', binary, timeoutMs }),
      QemuProcess.start({ label: 'secondary', binary, timeoutMs }),
    ]);
    const [primary, secondary] = started;
    if (primary.status === 'rejected' || secondary.status === 'rejected') {
      await Promise.all(started.map((s) => (s.status === 'fulfilled' ? s.value.kill() : undefined)));
      throw (primary.status === 'rejected' ? primary.reason : (secondary as PromiseRejectedResult).reason) as Error;
    }
    return [primary.value, secondary.value];
  }

  /** Start a primary and a secondary process and build the pair's graphs in them. */
  static async create(options: PairOptions): Promise<QemuPair> {
    const [primary, secondary] = await QemuPair.startProcesses(options.binary, options.timeoutMs);
    const pair = new QemuPair(primary, secondary, options);
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

  get chain(): ChainVariant {
    return this.options.chain ?? 'standard';
  }

  /**
   * The NBD connection to one of a side's exports (opened on first use, then reused); `lane` > 0
   * gives a connection of its own (concurrent sub-steps each use one, as separate guest queues).
   */
  connection(side: Side, exportName: string, lane = 0): Promise<NbdClient> {
    const key = `${side}:${exportName}:${lane}`;
    let client = this.nbd.get(key);
    if (client === undefined) {
      client = NbdClient.connect({ socketPath: this.process(side).path('nbd.sock'), exportName, timeoutMs: this.options.timeoutMs });
      this.nbd.set(key, client);
      client.catch(() => this.nbd.delete(key));
    }
    return client;
  }

  /** Forget (and close) every connection to an export, e.g. before the export is deleted. */
  async dropConnection(side: Side, exportName: string): Promise<void> {
    const keys = [...this.nbd.keys()].filter((k) => k.startsWith(`${side}:${exportName}:`));
    const clients = keys.map((k) => this.nbd.get(k)!);
    for (const k of keys) this.nbd.delete(k);
    await Promise.all(clients.map(async (client) => (await client.catch(() => undefined))?.disconnect()));
  }

  /**
   * If the side's process has exited without colosim ending it, mark it lost and crashed and return
   * what was seen; waits up to `waitMs` for the exit (the socket may close just before it).
   */
  async detectCrash(side: Side, waitMs = 0): Promise<string | undefined> {
    const qemu = this.process(side);
    if (this.crashed.has(side)) return this.crashed.get(side);
    if (!(await qemu.exitedWithin(waitMs)) || !qemu.crashed) return undefined;
    // What QEMU printed last (an assertion's file, line and condition on SIGABRT), with temp paths normalised.
    const seen = withLastOutput(describeExit(qemu.exit!), normaliseMessage(qemu.outputLine, this.dirs));
    this.crashed.set(side, seen);
    this.forgetSide(side);
    return seen;
  }

  /** Kill one side (SIGKILL, like a host crash) and mark it lost. */
  async killSide(side: Side): Promise<void> {
    this.forgetSide(side);
    await this.process(side).kill();
  }

  /** The side is gone: no exports, no connections. */
  private forgetSide(side: Side): void {
    this.lost.add(side);
    this.exports[side].clear();
    for (const [key, client] of [...this.nbd.entries()]) {
      if (!key.startsWith(`${side}:`)) continue;
      this.nbd.delete(key);
      void client.then((c) => c.disconnect()).catch(() => undefined);
    }
  }

  async dispose(): Promise<void> {
    const clients = [...this.nbd.values()];
    this.nbd.clear();
    await Promise.all(clients.map((c) => c.then((client) => client.disconnect()).catch(() => undefined)));
    await Promise.all([this.primary.stop(), this.secondary.stop()]);
  }

  // Set-up commands are sent without waiting for each answer (the monitor runs them in order), which
  // saves a round trip a command; the secondary is complete before the primary's link connects to it.
  private async buildSecondary(): Promise<void> {
    const calls = new SetupCalls(this.secondary, 'secondary');
    const chain = this.chain;
    calls.run('nbd-server-start', nbdServerStartArgs(this.secondary.path('nbd.sock')));
    const pace = this.options.secondaryWriteBytesPerSecond;
    if (pace !== undefined) calls.run('object-add', throttleGroupArgs(THROTTLE_GROUP, pace));
    for (const disk of this.disks) {
      const n = disk.names;
      calls.run('blockdev-add', secondaryDiskSpec(n, disk.files, disk.rules, pace === undefined ? undefined : THROTTLE_GROUP));
      // An export gives the secondary disk the BlockBackend replication's start requires; the variant
      // without one has no export of it at all (so neither the primary nor a scenario can reach it).
      if (chain !== 'secondary-without-backend') {
        this.addExport(calls, n.coloExport, n.secondaryDisk, true);
        this.addExport(calls, n.secondaryDiskExport, n.secondaryDisk, true);
      }
      if (chain === 'active-without-backing') calls.run('blockdev-add', standaloneHiddenSpec(n, disk.files, disk.rules));
      calls.run('blockdev-add', withQcow2Options(secondaryReplicationSpec(n, disk.files, disk.rules, chain), this.options.qcow2Options));
      this.addExport(calls, n.svmExport, n.secondaryReplication, true);
    }
    await calls.done();
  }

  private async buildPrimary(): Promise<void> {
    const calls = new SetupCalls(this.primary, 'primary');
    calls.run('nbd-server-start', nbdServerStartArgs(this.primary.path('nbd.sock')));
    for (const [i, disk] of this.disks.entries()) {
      const n = disk.names;
      calls.run('blockdev-add', primaryDiskSpec(n, disk.files, disk.rules));
      calls.run('blockdev-add', quorumSpec(n));
      calls.run('blockdev-add', primaryReplicationSpec(n, this.secondary.path('nbd.sock'), disk.rules, this.chain, statSync(disk.files.primaryRaw).size));
      calls.run('x-blockdev-change', { parent: n.quorum, node: n.primaryReplication });
      this.inQuorum.add(i);
      this.addExport(calls, n.pvmExport, n.quorum, true);
      // The quorum unshares write on its children, so these two can only be read-only.
      this.addExport(calls, n.primaryDiskExport, n.primaryDisk, false);
      this.addExport(calls, n.primaryReplicationExport, n.primaryReplication, false);
    }
    await calls.done();
  }

  private addExport(calls: SetupCalls, name: string, node: string, writable: boolean): void {
    calls.run('block-export-add', exportArgs(name, node, writable));
    this.exports[calls.side].add(name);
  }
}

type Json = Record<string, unknown>;

/** The replication node's spec with `options` merged into its active and hidden qcow2 nodes. */
export function withQcow2Options(spec: Json, options: Readonly<Record<string, unknown>> | undefined): Json {
  if (options === undefined) return spec;
  const merge = (node: unknown): unknown => {
    if (node === null || typeof node !== 'object') return node;
    const n = node as Json;
    const withBacking = 'backing' in n ? { ...n, backing: merge(n.backing) } : n;
    return n.driver === 'qcow2' ? { ...withBacking, ...options } : withBacking;
  };
  return { ...spec, file: merge(spec.file) };
}

/** Set-up commands of one side, sent at once; done() fails with the first one QEMU refused. */
class SetupCalls {
  private readonly calls: Promise<void>[] = [];

  constructor(
    private readonly qemu: QemuProcess,
    readonly side: Side,
  ) {}

  run(command: string, args: Record<string, unknown>): void {
    const what = `${this.side} ${command} ${String(args['node-name'] ?? args.id ?? args.parent ?? '')}`.trim();
    this.calls.push(setup(this.qemu, this.qemu.qmp.execute(command, args), what));
  }

  async done(): Promise<void> {
    await Promise.all(this.calls);
  }
}

/**
 * Topology commands must succeed; a QMP error here is a bug in the adapter, not a scenario result.
 * A connection lost meanwhile means `qemu` died: say how (the socket error often comes before the exit status).
 */
async function setup(qemu: QemuProcess, call: Promise<unknown>, what: string): Promise<void> {
  try {
    await call;
  } catch (error) {
    if (error instanceof QmpError) throw new QemuAdapterError('QEMU_TOPOLOGY', `${what} failed: ${error.desc}`, { cause: error });
    const death = error instanceof QemuAdapterError && error.code === 'QMP_CLOSED' ? await qemu.deathNote(1000) : undefined;
    if (death !== undefined) throw new QemuAdapterError('QMP_CLOSED', `${error instanceof Error ? error.message : String(error)} while building the block graphs; ${death}`, { cause: error });
    throw error;
  }
}
