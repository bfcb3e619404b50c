/*
 * The primary's NBD client node: the replication(primary) node's file, forwarding each request over
 * the simulated network to the secondary's export of its disk. Each direction takes the link's
 * latency. Like QEMU's client without reconnect, once the connection is gone (the link dropped, the
 * export or the peer vanished) every request fails with EIO, including requests in flight, even when
 * the server had already applied them. A request travels with its guest request id as the NBD handle.
 */
import { BlockError } from '../block/BlockError.js';
import { BlockNode } from '../block/BlockNode.js';
import type { SimEnv } from '../sim/SimEnv.js';
import type { NbdExport } from './NbdServer.js';

export interface NbdClientOptions {
  readonly name: string;
  /** Finds the export on the peer; null when it (or the peer) is gone. */
  readonly connect: () => NbdExport | null;
  /** Whether the peer process still runs (a dead peer resets the connection). */
  readonly peerAlive: () => boolean;
  /** The export's size, learnt at the handshake. */
  readonly sizeBytes: number;
  readonly latencyTicks: number;
  /** Checked just before a request leaves: whether this side crashes now. */
  readonly crashPoint: (point: string) => void;
}

export class NbdClientNode extends BlockNode {
  readonly driver = 'nbd';
  private connected = true;

  constructor(
    env: SimEnv,
    private readonly options: NbdClientOptions,
  ) {
    super(env, options.name);
    this.alignment = 1;
  }

  get length(): number {
    return this.options.sizeBytes;
  }

  get isConnected(): boolean {
    return this.connected;
  }

  /** The peer closed the connection (or the link broke): fail from now on. */
  disconnect(): void {
    this.connected = false;
  }

  protected override doRead(offset: number, bytes: number, requestId?: number): Promise<Uint8Array> {
    return this.roundTrip('read', offset, bytes, requestId, (exp) => exp.read(offset, bytes, requestId));
  }

  protected override doWrite(offset: number, data: Uint8Array, requestId?: number): Promise<void> {
    return this.roundTrip('write', offset, data.length, requestId, (exp) => exp.write(offset, data, requestId));
  }

  protected override async doFlush(requestId?: number): Promise<void> {
    await this.roundTrip('flush', 0, 0, requestId, (exp) => exp.flush(requestId));
  }

  private async roundTrip<T>(
    op: 'read' | 'write' | 'flush',
    offset: number,
    bytes: number,
    requestId: number | undefined,
    call: (exp: NbdExport) => Promise<T>,
  ): Promise<T> {
    const request = new Set<object>();
    this.checkLink(op, request);
    this.options.crashPoint('primary:before-forward');
    await this.env.sched.sleep(`link:${this.name}:send`, this.options.latencyTicks);
    const exp = this.options.connect();
    if (!exp) {
      this.connected = false;
      throw new BlockError('EIO', `${this.name}: the export is gone`);
    }
    let result: T;
    try {
      result = await call(exp);
    } catch (error) {
      // A peer that died mid-request resets the connection: the client sees EIO, not the server's error.
      if (!this.options.peerAlive()) this.connected = false;
      this.checkLink(op, request);
      throw error;
    }
    this.traceApplied(op, offset, bytes, requestId);
    await this.env.sched.sleep(`link:${this.name}:reply`, this.options.latencyTicks);
    if (!this.options.peerAlive()) this.connected = false;
    // A connection lost while the request was out loses the reply, whatever the server did.
    this.checkLink(op, request);
    return result;
  }

  /** Ground truth for checkers: the server carried out the request (its reply may still be lost). */
  private traceApplied(op: string, offset: number, bytes: number, requestId: number | undefined): void {
    if (this.env.trace.enabled && op === 'write') this.env.trace.emit('nbd-applied', { node: this.name, op, offset, bytes, req: requestId });
  }

  /** Throws EIO on a broken connection; `request` makes its send and reply checks count as one request. */
  private checkLink(op: string, request: Set<object>): void {
    if (this.connected && this.env.faults.linkDropped(this.name, request)) this.connected = false;
    if (!this.connected) throw new BlockError('EIO', `${this.name}: ${op} on a broken connection`);
  }
}
