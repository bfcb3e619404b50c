/*
 * crash-explained: a QEMU process of the pair ends only for a reason the checker can name, and a
 * crash fault that fires ends its process.
 * - An injected crash (a crash fault of the plan) must be the fault that just fired on that side,
 *   with the engine's reason `crash fault at <point>`; a crash fault that fires and leaves its side
 *   alive is a violation when the next event comes (firing and ending are one synchronous act).
 * - A crash no fault injected is explained by one of three rules, each judged elsewhere:
 *   an operation of that side answered it (conformance compares the answer with the chart's),
 *   block-copy's conflict assertion (CowEpochs judges the cluster), or the chart of one of the
 *   side's nodes reached CRASHED on a job's report (v24's commit callback on a closed node).
 *   Any other crash is a violation: before this check, a background crash for any other reason
 *   passed unchecked.
 * Lost sides (a failover's `lose`, a dropped link) are the scenario's doing, not crashes.
 */
import { BLOCK_COPY_CONFLICT } from '../jobs/BackupJob.js';
import type { TraceSide, TypedTraceEvent } from '../sim/TraceEvents.js';
import { parseCrashMessage } from '../sim/SimulatedCrash.js';
import type { Reporter } from './Reporter.js';


export class CrashesExplained {
  /** The crash point of a crash fault that fired and whose side has not ended yet. */
  private firing: { side: TraceSide; point: string } | null = null;
  /** Per side, the crash reasons its operations answered (a crash ends the process after its answer). */
  private readonly answered = new Map<TraceSide, string[]>();

  /**
   * @param chartCrashed whether the chart of one of the side's replication nodes is in CRASHED
   *   (NodeConformance's view; the chart applied the job report that crashed it)
   */
  constructor(
    private readonly report: Reporter,
    private readonly chartCrashed: (side: TraceSide) => boolean,
  ) {}

  onEvent(event: TypedTraceEvent): void {
    if (this.firing !== null && !(event.kind === 'side' && event.fields.side === this.firing.side)) this.firedWithoutEnd();
    switch (event.kind) {
      case 'fault':
        if (event.fields.kind === 'crash') this.firing = { side: sideOfPoint(event.fields.point), point: event.fields.point };
        return;
      case 'repl-op': {
        // An operation whose process crashed under it answers with the crash's message.
        const answer = event.fields.error === undefined ? null : parseCrashMessage(event.fields.error);
        if (answer) this.answered.set(answer.side, [...(this.answered.get(answer.side) ?? []), answer.reason]);
        return;
      }
      case 'side':
        if (event.fields.event === 'crashed') this.onCrashed(event.fields.side, event.fields.reason ?? '', event.fields.injected === true);
        return;
      default:
        return;
    }
  }

  /** After the last step: a crash fault that fired last must have ended its side too. */
  finish(): void {
    if (this.firing !== null) this.firedWithoutEnd();
  }

  private onCrashed(side: TraceSide, reason: string, injected: boolean): void {
    if (injected) {
      const fired = this.firing;
      this.firing = null;
      const expected = fired === null ? null : `crash fault at ${fired.point}`;
      this.report.check('crash-explained', expected === reason, () =>
        expected === null ? `the ${side} side crashed of an injected fault (${reason}), but no crash fault fired there` : `the ${side} side crashed of "${reason}", but the fault that fired was "${expected}"`,
      );
      return;
    }
    const explained = (this.answered.get(side) ?? []).includes(reason) || reason.includes(BLOCK_COPY_CONFLICT) || this.chartCrashed(side);
    this.report.check('crash-explained', explained, () => `the ${side} side crashed (${reason}) with no fault, no operation answering it and no rule of the chart or of block-copy for it`);
  }

  private firedWithoutEnd(): void {
    const { side, point } = this.firing!;
    this.firing = null;
    this.report.check('crash-explained', false, () => `the crash fault at ${point} fired, but the ${side} side did not end`);
  }
}

function sideOfPoint(point: string): TraceSide {
  return point.startsWith('primary:') ? 'primary' : 'secondary';
}
