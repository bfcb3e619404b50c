/*
 * failover-preserves-view, for the view's availability: once a failover's commit completed (the
 * secondary's replication node moved FAILOVER -> DONE), the commit has pivoted the secondary VM's
 * disk onto the secondary disk, a plain image. A guest read or write entering the secondary VM's
 * disk after that can then fail only where an injected fault struck that very request (the fault's
 * `req`), or with EINVAL for a range past the end. Any other failure (ENOMEDIUM from a closed
 * active disk the chain still points at, say) means the view was not handed over. Limits: requests
 * that entered before the pivot are not judged (they may meet the graph change); a closed
 * replication node or a lost side ends the check for that disk or side.
 */
import type { Step } from '../scenario/Scenario.js';
import type { StepResult } from '../scenario/StepResult.js';
import type { TypedTraceEvent } from '../sim/TraceEvents.js';
import { parseNodeName } from './pairNames.js';
import type { Reporter } from './Reporter.js';

interface Judged {
  readonly member: number | undefined;
  readonly op: string;
  readonly disk: number;
  readonly offset: number;
  readonly bytes: number;
}

export class PromotedIo {
  private stepIndex = -1;
  /** Disks whose secondary replication node completed a failover (and is still open). */
  private readonly promoted = new Set<number>();
  private secondaryLost = false;
  /** This step's secondary VM requests entered after promotion, by request id. */
  private readonly requests = new Map<number, Judged>();
  /** Requests an injected fault struck. */
  private readonly faulted = new Set<number>();

  constructor(
    private readonly report: Reporter,
    private readonly diskBytes: number,
  ) {}

  beginStep(index: number): void {
    this.stepIndex = index;
    // Cleared only when they hold something: clear() allocates a new table even for an empty one.
    if (this.requests.size > 0) this.requests.clear();
    if (this.faulted.size > 0) this.faulted.clear();
  }

  onEvent(event: TypedTraceEvent): void {
    switch (event.kind) {
      case 'stage': {
        const id = parseNodeName(event.fields.node);
        if (id.role === 'replication-secondary' && event.fields.from === 'FAILOVER' && event.fields.to === 'DONE') this.promoted.add(id.disk);
        return;
      }
      case 'repl-op-begin': {
        const id = parseNodeName(event.fields.node);
        if (id.role === 'replication-secondary' && event.fields.op === 'close') this.promoted.delete(id.disk);
        return;
      }
      case 'side':
        if (event.fields.side === 'secondary') this.secondaryLost = true;
        return;
      case 'fault':
        if (event.fields.kind === 'io-error' && event.fields.req !== undefined) this.faulted.add(event.fields.req);
        return;
      case 'request': {
        const f = event.fields;
        if (f.step !== this.stepIndex || f.vm !== 'secondary' || f.target !== 'vm' || !this.promoted.has(f.disk)) return;
        this.requests.set(f.req, { member: f.member, op: f.op, disk: f.disk, offset: f.offset, bytes: f.bytes });
        return;
      }
      default:
        return;
    }
  }

  endStep(step: Step, result: StepResult): void {
    if (this.secondaryLost) return;
    for (const [req, r] of this.requests) {
      const answer = step.do === 'concurrent' ? result.steps?.[r.member ?? -1] : result;
      if (!answer || answer.code !== undefined || this.faulted.has(req) || !this.promoted.has(r.disk)) continue;
      if (r.offset + r.bytes > this.diskBytes) continue;
      this.report.check('failover-preserves-view', answer.ok, () =>
        `secondary VM ${r.op} [${r.offset},+${r.bytes}] on disk ${r.disk} after the failover completed failed with ${answer.errno ?? answer.error}, though no fault struck it`,
      );
    }
  }
}
