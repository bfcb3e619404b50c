/*
 * conformance, for what close leaves behind: replication_close cancels a running failover commit
 * and waits for it (job_cancel_sync, 50ab0e0908), and a stop before it has ended the backup job;
 * so once a replication node's close has returned, no block job it owns may report again (a copy,
 * a completion, a failure). One that does runs its callback on a closed node. Events are taken in
 * the trace's own order (CaseChecker's holding-back of job events would move them after the close).
 * Limits: a node whose side was lost is not judged (its jobs die with it, unreported).
 */
import type { TypedTraceEvent } from '../sim/TraceEvents.js';
import { nodeName, parseNodeName } from './pairNames.js';
import type { Reporter } from './Reporter.js';

export class JobsEndWithClose {
  /** Replication nodes whose close returned. */
  private readonly closed = new Set<string>();
  private readonly lost = new Set<string>();

  constructor(private readonly report: Reporter) {}

  onEvent(event: TypedTraceEvent): void {
    switch (event.kind) {
      case 'repl-op':
        if (event.fields.op === 'close') this.closed.add(event.fields.node);
        return;
      case 'side':
        this.lost.add(event.fields.side);
        return;
      case 'job':
        return this.judge(event.fields.owner, `${event.fields.job} ${event.fields.event}`);
      case 'commit-copy':
        // The commit of disk N belongs to that disk's secondary replication node.
        return this.judge(nodeName('replication-secondary', parseNodeName(event.fields.job).disk), `${event.fields.job} copied [${event.fields.offset},+${event.fields.bytes}]`);
      default:
        return;
    }
  }

  private judge(owner: string, what: string): void {
    if (this.lost.has(owner.startsWith('replication-primary') ? 'primary' : 'secondary')) return;
    this.report.check('conformance', !this.closed.has(owner), () => `${what} after ${owner} was closed: close must cancel the node's jobs and wait for them`);
  }
}
