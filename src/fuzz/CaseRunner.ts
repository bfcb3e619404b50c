/*
 * Where campaign cases run: on the main thread one at a time (InProcessRunner), or on a pool of
 * worker threads (PoolRunner). Either way a task's promise resolves to its outcome and never
 * rejects: a worker that dies under a case resolves to an engine-error outcome naming the case.
 */
import type { CaseOutcome, CaseTask } from './evaluateCase.js';

export interface CaseRunner {
  /** Tasks the campaign keeps in flight: enough to keep every thread busy. */
  readonly slots: number;
  readonly run: (task: CaseTask) => Promise<CaseOutcome>;
  /** Stop every thread; outcomes still in flight are dropped. */
  readonly close: () => Promise<void>;
}
