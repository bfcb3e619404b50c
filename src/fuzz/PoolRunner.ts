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
import { totalmem } from 'node:os';
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
 * Each worker's largest semi-space (V8's young generation is two of them and a large-object space
 * as big as one; piscina's resourceLimits caps the three together). A case allocates about half a
 * MiB and keeps almost none of it, so semi-spaces that may grow past V8's 16 MiB let more of it die
 * young instead of being copied and promoted. V8 starts them at 1 MiB either way and grows them
 * only as the worker allocates, so a pool that does little costs little. At most an eighth of the
 * machine's memory goes to the workers' young generations; where that leaves less than V8's own
 * 16 MiB (many threads, little memory) the workers keep V8's defaults.
 */
export const WORKER_SEMI_SPACE_MB = 64;

/** The largest semi-space for each of `threads` workers, or undefined for V8's defaults. */
export function workerSemiSpaceMb(threads: number, memoryBytes: number = totalmem()): number | undefined {
  const share = Math.floor(memoryBytes / 2 ** 20 / 8 / threads / 3);
  return share < 16 ? undefined : Math.min(WORKER_SEMI_SPACE_MB, share);
}

export function poolRunner(threads: number, filename: string = caseWorkerFile(), batchSize: number = CASES_PER_TASK): CaseRunner {
  const semiSpaceMb = workerSemiSpaceMb(threads);
  const pool = new Piscina<CaseBatch, CaseOutcome[]>({
    filename,
    minThreads: threads,
    maxThreads: threads,
    idleTimeout: 60_000,
    concurrentTasksPerWorker: 1,
    ...(semiSpaceMb === undefined ? {} : { resourceLimits: { maxYoungGenerationSizeMb: 3 * semiSpaceMb } }),
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
