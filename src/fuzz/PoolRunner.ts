/*
 * Cases on a piscina pool of worker threads, each loading the engine once (caseWorkerEntry.js or
 * the compiled caseWorker.js). A task is a batch of CASES_PER_TASK consecutive cases, and two tasks
 * per thread stay queued, so a thread goes from case to case without waiting for the main thread
 * and pays one message round trip per batch instead of one per case.
 *
 * A task whose worker exits or crashes (out of memory, an uncaught error) loses every outcome of its
 * batch, the finished ones too; piscina starts a fresh worker for the next task. Each case of that
 * batch then runs again as a task of its own (a case is deterministic, so a healthy one comes back
 * with the outcome it had), and only a case whose own one-case task fails becomes an engine-error
 * outcome (workerDiedOutcome): the cases reported are the ones a worker died under, as without batches.
 */
import { Piscina } from 'piscina';
import type { CaseRunner } from './CaseRunner.js';
import { type CaseBatch, type CaseOutcome, batchTask, workerDiedOutcome } from './evaluateCase.js';
import { caseWorkerFile } from './workerFile.js';

/**
 * Cases per task: a case takes about 2 ms, and a round trip to a main thread that shares the
 * cores with the workers can take a good part of that; 8 cases (about 16 ms) make it small.
 */
export const CASES_PER_TASK = 8;

/**
 * Each worker's young generation (V8's limit for the semi-spaces together; one semi-space is a
 * third of it). The default (16 MiB semi-spaces on 64-bit) makes a case's short-lived objects
 * survive a scavenge or two and be copied; 64 MiB semi-spaces let almost all of them die young.
 * Measured: 2 workers, 6000 cases, 12.5 s with the default, 9.8 s with 192.
 */
export const WORKER_YOUNG_GENERATION_MB = 192;

export function poolRunner(threads: number, filename: string = caseWorkerFile(), batchSize: number = CASES_PER_TASK): CaseRunner {
  const pool = new Piscina<CaseBatch, CaseOutcome[]>({
    filename,
    minThreads: threads,
    maxThreads: threads,
    idleTimeout: 60_000,
    concurrentTasksPerWorker: 1,
    resourceLimits: { maxYoungGenerationSizeMb: WORKER_YOUNG_GENERATION_MB },
  });
  const runBatch = (batch: CaseBatch): Promise<readonly CaseOutcome[]> =>
    pool.run(batch).catch(async (error: unknown) => {
      const [only] = batch.cases;
      if (batch.cases.length === 1 && only !== undefined) return [workerDiedOutcome(batchTask(batch, only), error)];
      const alone = await Promise.all(batch.cases.map((ref) => runBatch({ ...batch, cases: [ref] })));
      return alone.flat();
    });
  // Tasks still out when the campaign ends (it drops cases past its first violation) are awaited
  // before the pool goes: piscina throws on a result arriving after destroy.
  const pending = new Set<Promise<readonly CaseOutcome[]>>();
  return {
    slots: threads * 2,
    batchSize,
    run: (batch) => {
      const outcomes = runBatch(batch);
      pending.add(outcomes);
      void outcomes.finally(() => pending.delete(outcomes));
      return outcomes;
    },
    close: async () => {
      await Promise.allSettled([...pending]);
      await pool.destroy();
    },
  };
}
