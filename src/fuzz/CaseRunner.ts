/*
 * Where campaign cases run: on the main thread one at a time (InProcessRunner), or on a pool of
 * worker threads (PoolRunner), a batch of consecutive cases per task. Either way a batch's promise
 * resolves to one outcome per case, in the batch's order, and never rejects: a worker that dies
 * under a case resolves to an engine-error outcome naming that case.
 */
import type { CaseBatch, CaseOutcome } from './evaluateCase.js';

export interface CaseRunner {
  /** Batches the campaign keeps in flight: enough to keep every thread busy. */
  readonly slots: number;
  /** Cases per batch (the last batch of a campaign may have fewer). */
  readonly batchSize: number;
  readonly run: (batch: CaseBatch) => Promise<readonly CaseOutcome[]>;
  /** Stop every thread; outcomes still in flight are dropped. */
  readonly close: () => Promise<void>;
}
