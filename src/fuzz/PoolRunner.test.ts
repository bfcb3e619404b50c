/*
 * The pool answers a batch with one outcome per case, in the batch's order, the same outcomes the
 * main thread computes; a worker that dies under one case of a batch loses the whole batch, and the
 * pool reruns its cases alone, so only that case comes back as a worker death. Its workers get
 * the bigger young generation it asks V8 for.
 */
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { caseSeed } from './caseScenario.js';
import { type CaseBatch, type CaseOutcome, evaluateBatch } from './evaluateCase.js';
import { DEFAULT_FUZZ_OPTIONS } from './FuzzOptions.js';
import { WORKER_SEMI_SPACE_MB, poolRunner, workerSemiSpaceMb } from './PoolRunner.js';

const batch = (indices: number[]): CaseBatch => ({
  fuzz: DEFAULT_FUZZ_OPTIONS,
  campaignSeed: 5,
  determinismEvery: 10,
  cases: indices.map((index) => ({ index, seed: caseSeed(5, index) })),
});

/** An outcome without the thread that ran it. */
const counted = ({ worker: _worker, ...rest }: CaseOutcome) => rest;

describe('poolRunner', () => {
  it('answers a batch of four cases in its order with the outcomes of the main thread', { timeout: 120_000 }, async () => {
    const runner = poolRunner(2);
    try {
      const task = batch([20, 21, 22, 23]);
      const outcomes = await runner.run(task);
      expect(outcomes.map((o) => o.index)).toEqual([20, 21, 22, 23]);
      expect(outcomes.every((o) => o.worker > 0)).toBe(true);
      expect(outcomes.map(counted)).toEqual((await evaluateBatch(task)).map(counted));
    } finally {
      await runner.close();
    }
  });

  it('reports only case 7 of a batch 5-8 whose worker dies under case 7, and the real outcomes of 5, 6 and 8', { timeout: 120_000 }, async () => {
    const runner = poolRunner(2, new URL('./dyingWorker.fixture.js', import.meta.url).href);
    try {
      const outcomes = await runner.run(batch([5, 6, 7, 8]));
      expect(outcomes.map((o) => [o.index, o.worker === -1])).toEqual([
        [5, false],
        [6, false],
        [7, true],
        [8, false],
      ]);
      expect(outcomes[2]!.violations.map((v) => v.message)).toEqual([`ENGINE_BUG: case 7 (case seed ${caseSeed(5, 7)}): the worker thread died: Error: worker exited with code: 9`]);
      const healthy = await evaluateBatch(batch([5, 6, 8]));
      expect([outcomes[0]!, outcomes[1]!, outcomes[3]!].map(counted)).toEqual(healthy.map(counted));
    } finally {
      await runner.close();
    }
  });
});

describe('the workers\' young generation', () => {
  it('is 64 MiB semi-spaces while they take at most an eighth of the memory, V8\'s defaults below 16 MiB', () => {
    const gib = 2 ** 30;
    expect(workerSemiSpaceMb(2, 24 * gib)).toBe(64);
    expect(workerSemiSpaceMb(32, 16 * gib)).toBe(21);
    expect(workerSemiSpaceMb(43, 16 * gib)).toBeUndefined();
    expect(workerSemiSpaceMb(42, 16 * gib)).toBe(16);
    expect(workerSemiSpaceMb(64, 4 * gib)).toBeUndefined();
  });

  // On a machine with at least 3 GiB, where two workers get the full size. A worker's heap limit is
  // its old generation's plus its young generation's: three 64 MiB semi-spaces instead of V8's
  // default three of at most 32 MiB (16 MiB for Node 20's V8 on a 64-bit heap) add at least 96 MiB.
  it.runIf(workerSemiSpaceMb(2) === WORKER_SEMI_SPACE_MB)('reaches the worker threads: their heap limit is at least 96 MiB above a plain worker\'s', { timeout: 60_000 }, async () => {
    const plain = new Worker('const { parentPort } = require("node:worker_threads"); parentPort.postMessage(require("node:v8").getHeapStatistics().heap_size_limit)', { eval: true });
    const plainLimit = await new Promise<number>((resolve) => plain.once('message', resolve));
    await plain.terminate();
    const runner = poolRunner(2, new URL('./heapWorker.fixture.js', import.meta.url).href);
    try {
      const [answer] = (await runner.run(batch([0]))) as unknown as { heapSizeLimit: number }[];
      expect(answer!.heapSizeLimit - plainLimit).toBeGreaterThanOrEqual(96 * 2 ** 20);
    } finally {
      await runner.close();
    }
  });
});
