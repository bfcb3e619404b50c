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
import { setFlagsFromString } from 'node:v8';
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
 * Each worker's semi-spaces (V8's young generation is two of them and a large-object space as big
 * as one). A case allocates about half a MiB and keeps almost none of it, so big semi-spaces let
 * nearly every object die young instead of being copied and promoted; but V8 starts a worker's at
 * 1 MiB and grows them only as objects survive, which here they hardly do. So the pool sets the
 * process's --min-semi-space-size before it starts its threads (V8 reads it as each new isolate
 * starts; the main thread's heap, configured already, keeps its own), and caps the young
 * generation with piscina's resourceLimits. At most an eighth of the machine's memory goes to the
 * workers' young generations; where that leaves less than V8's own 16 MiB semi-spaces (many threads,
 * little memory) the workers keep V8's defaults. Measured (2 workers, 6000 cases): 12.5 s with
 * V8's defaults, 9.8 s with 64 MiB.
 */
export const WORKER_SEMI_SPACE_MB = 64;

/** The semi-space size for each of `threads` workers, or undefined for V8's defaults. */
export function workerSemiSpaceMb(threads: number, memoryBytes: number = totalmem()): number | undefined {
  const share = Math.floor(memoryBytes / 2 ** 20 / 8 / threads / 3);
  return share < 16 ? undefined : Math.min(WORKER_SEMI_SPACE_MB, share);
}

export function poolRunner(threads: number, filename: string = caseWorkerFile(), batchSize: number = CASES_PER_TASK): CaseRunner {
  const semiSpaceMb = workerSemiSpaceMb(threads);
  // 0 is V8's own default, in case an earlier pool of this process set it.
  setFlagsFromString(`--min-semi-space-size=${semiSpaceMb ?? 0}`);
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
