/*
 * Cases on a piscina pool of worker threads, each loading the engine once (caseWorkerEntry.js).
 * Two tasks per thread stay queued so no thread waits for the main thread between cases. A task
 * whose worker exits or crashes (out of memory, an uncaught error) becomes an engine-error outcome
 * for that case instead of a rejection; piscina starts a fresh worker for the next task.
 */
import { Piscina } from 'piscina';
import type { CaseRunner } from './CaseRunner.js';
import { type CaseOutcome, type CaseTask, workerDiedOutcome } from './evaluateCase.js';
import { caseWorkerFile } from './workerFile.js';

export function poolRunner(threads: number, filename: string = caseWorkerFile()): CaseRunner {
  const pool = new Piscina<CaseTask, CaseOutcome>({ filename, minThreads: threads, maxThreads: threads, idleTimeout: 60_000, concurrentTasksPerWorker: 1 });
  // Tasks still out when the campaign ends (it drops cases past its first violation) are awaited
  // before the pool goes: piscina throws on a result arriving after destroy.
  const pending = new Set<Promise<CaseOutcome>>();
  return {
    slots: threads * 2,
    run: (task) => {
      const outcome = pool.run(task).catch((error: unknown) => workerDiedOutcome(task, error));
      pending.add(outcome);
      void outcome.finally(() => pending.delete(outcome));
      return outcome;
    },
    close: async () => {
      await Promise.allSettled([...pending]);
      await pool.destroy();
    },
  };
}
