/*
 * The replication framework of one QEMU process (replication.c): every replication node registers
 * at open, at the head of one list, and the *_all operations walk that list head to tail (newest
 * node first), stopping at the first error with no rollback of the nodes already done.
 */
import type { ReplicationMode } from './ReplicationStage.js';

/** ReplicationOps: what a registered node offers. Each throws a QemuError on failure. */
export interface ReplicationOps {
  readonly name: string;
  start(mode: ReplicationMode): Promise<void>;
  checkpoint(): Promise<void>;
  getError(): Promise<void>;
  stop(failover: boolean): Promise<void>;
}

export class ReplicationFramework {
  private list: ReplicationOps[] = [];

  /** replication_new: insert at the head. */
  register(node: ReplicationOps): void {
    this.list.unshift(node);
  }

  /** replication_remove. */
  unregister(node: ReplicationOps): void {
    this.list = this.list.filter((n) => n !== node);
  }

  /** Registered nodes in the order the *_all operations visit them. */
  get nodes(): readonly ReplicationOps[] {
    return this.list;
  }

  startAll(mode: ReplicationMode): Promise<void> {
    return this.forEach((n) => n.start(mode));
  }

  checkpointAll(): Promise<void> {
    return this.forEach((n) => n.checkpoint());
  }

  getErrorAll(): Promise<void> {
    return this.forEach((n) => n.getError());
  }

  stopAll(failover: boolean): Promise<void> {
    return this.forEach((n) => n.stop(failover));
  }

  private async forEach(op: (node: ReplicationOps) => Promise<void>): Promise<void> {
    for (const node of [...this.list]) await op(node);
  }
}
