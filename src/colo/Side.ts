/*
 * One QEMU process of the pair: its node names, its replication framework, its NBD server, and
 * whether it is alive. The QMP commands that drive replication live here (xen-set-replication,
 * xen-colo-do-checkpoint, query-xen-replication-status), with QEMU's argument rules. A process that
 * is lost (killed at failover) or crashed (a crash fault, or what QEMU would have crashed on) closes
 * every node, so requests still in flight there fail instead of touching a dead process.
 */
import type { BlockBackend } from '../block/BlockBackend.js';
import type { BlockNode } from '../block/BlockNode.js';
import { NodeRegistry } from '../block/NodeRegistry.js';
import { MSG } from '../replication/messages.js';
import { QemuError } from '../replication/QemuError.js';
import { ReplicationFramework } from '../replication/ReplicationFramework.js';
import { SimulatedCrash } from '../sim/SimulatedCrash.js';
import type { SimEnv } from '../sim/SimEnv.js';
import { WaitQueue } from '../sim/WaitQueue.js';
import { OutcomeError } from '../util/OutcomeError.js';
import { NbdServer } from './NbdServer.js';
import type { PairConfig } from './PairConfig.js';

export type SideName = 'primary' | 'secondary';
export type SideState = 'alive' | 'lost' | 'crashed';

export interface ReplicationStatus {
  readonly error: boolean;
  readonly desc?: string;
}

export class Side {
  readonly registry = new NodeRegistry();
  readonly framework = new ReplicationFramework();
  readonly server = new NbdServer();
  state: SideState = 'alive';
  /** Why the side crashed, when it did. */
  crash: SimulatedCrash | null = null;
  private commandRunning = false;
  private readonly commandQueue: WaitQueue;

  constructor(
    readonly env: SimEnv,
    readonly name: SideName,
  ) {
    this.commandQueue = new WaitQueue(env.sched, `the ${name} QMP monitor`);
  }

  get alive(): boolean {
    return this.state === 'alive';
  }

  /** What every replication node of this process is opened with, whatever its mode. */
  protected replicationContext(config: PairConfig) {
    return {
      rules: config.rules,
      registry: this.registry,
      framework: this.framework,
      side: this.name,
      commit: { chunkBytes: config.timing.commitChunkBytes, paceTicks: config.timing.commitPaceTicks, scanTicksPerCluster: config.timing.commitScanTicksPerCluster ?? 0 },
      onCrash: (crash: SimulatedCrash) => this.die('crashed', crash),
      crashPoint: (point: string) => this.crashPoint(point),
    };
  }

  /** An image-backed node of this process: its format, file name and disk latency; registered. */
  protected diskNode<T extends BlockNode>(node: T, format: string, config: PairConfig): T {
    node.format = format;
    node.latencyTicks = config.timing.diskLatencyTicks;
    node.filename = `${node.name}.${format}`;
    this.registry.addNode(node);
    return node;
  }

  /** A BlockBackend (drive) of this process, registered and exported over NBD under its name. */
  protected exported(blk: BlockBackend): BlockBackend {
    this.registry.addBackend(blk);
    this.server.add(blk.name, blk);
    return blk;
  }

  /** A crash point: the fault plan may crash this process here. */
  crashPoint(point: string): void {
    if (!this.alive) throw new SimulatedCrash(this.name, `${point} reached in a dead process`, true);
    if (!this.env.faults.crashAt(point)) return;
    const crash = new SimulatedCrash(this.name, `crash fault at ${point}`, true);
    this.die('crashed', crash);
    throw crash;
  }

  /** The process ends: every node closes, every export disappears. */
  die(how: 'lost' | 'crashed', crash: SimulatedCrash | null = null): void {
    if (!this.alive) return;
    this.state = how;
    this.crash = crash;
    for (const node of this.registry.allNodes()) node.open = false;
    this.env.trace.emit('side', { side: this.name, event: how, reason: crash?.reason, injected: crash?.injected });
  }

  // ---- QMP commands ----

  /** xen-set-replication {enable, primary, failover?}. */
  xenSetReplication(enable: boolean, primary: boolean, failover?: boolean): Promise<void> {
    return this.command(enable ? 'start' : 'stop', () => this.setReplication(enable, primary, failover));
  }

  private async setReplication(enable: boolean, primary: boolean, failover?: boolean): Promise<void> {
    if (enable) {
      if (failover !== undefined) throw new QemuError(MSG.failoverOnlyForStop);
      await this.framework.startAll(primary ? 'primary' : 'secondary');
      return;
    }
    if (!failover) {
      await this.framework.stopAll(false);
      return;
    }
    // With failover, QEMU passes a NULL errp: every error is dropped, but a crash is still a crash,
    // and an exception nothing models is a bug of ours, never dropped.
    await this.framework.stopAll(true).catch((error: unknown) => {
      if (error instanceof SimulatedCrash || !(error instanceof OutcomeError)) throw error;
    });
  }

  /** xen-colo-do-checkpoint. */
  xenColoDoCheckpoint(): Promise<void> {
    return this.command('checkpoint', () => this.framework.checkpointAll());
  }

  /** query-xen-replication-status: never fails; an error becomes {error: true, desc}. */
  queryXenReplicationStatus(): Promise<ReplicationStatus> {
    return this.command('get_error', async () => {
      try {
        await this.framework.getErrorAll();
        return { error: false };
      } catch (error) {
        if (error instanceof QemuError) return { error: true, desc: error.message };
        throw error;
      }
    });
  }

  /**
   * Run a QMP command in this process. QEMU's monitor dispatches one command at a time, even while
   * a command waits for a job or a drain; a crash on the way ends the process.
   */
  protected async command<T>(name: string, body: () => Promise<T>): Promise<T> {
    while (this.commandRunning) await this.commandQueue.wait(`a QMP command on ${this.name}`);
    this.commandRunning = true;
    // Cheap fields: emit itself does nothing while the trace is off.
    const trace = this.env.trace;
    trace.emit('command', { side: this.name, command: name, event: 'begin' });
    try {
      const result = await body();
      trace.emit('command', { side: this.name, command: name, event: 'end', ok: true });
      return result;
    } catch (error) {
      if (error instanceof SimulatedCrash) this.die('crashed', error);
      trace.emit('command', { side: this.name, command: name, event: 'end', ok: false });
      throw error;
    } finally {
      this.commandRunning = false;
      this.commandQueue.wakeAll();
    }
  }
}
