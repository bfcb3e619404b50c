/*
 * Determinism: a run is a function of its seed, its schedule policy and its inputs. The same seed
 * gives the same trace hash, the same results and the same recorded schedule; replaying the
 * recording gives the same run again; and under the random policy different seeds really explore
 * different interleavings of concurrent requests, each seed reproducing its own.
 * Requests here may conflict freely (overlapping writes, make-empty in flight): determinism must
 * hold whatever the outcome.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { OverlayNode } from '../src/block/OverlayNode.js';
import { RawNode } from '../src/block/RawNode.js';
import type { Fault } from '../src/sim/FaultPlan.js';
import { SimEnv, type PolicySpec } from '../src/sim/SimEnv.js';
import type { TraceLevel } from '../src/sim/Trace.js';
import { hashValue } from '../src/sim/hash.js';
import { SCALED_TIMEOUT_MS as TIMEOUT_MS, scaledRuns as runs, seed as suiteSeed } from './budget.js';

const SIZE = 1 << 19;

interface Req {
  readonly layer: 0 | 1 | 2;
  readonly kind: 'read' | 'write' | 'write-zeroes' | 'make-empty';
  readonly offset: number;
  readonly bytes: number;
  readonly pattern: number;
}

interface Workload {
  readonly latencies: readonly [number, number, number];
  readonly faults: readonly Fault[];
  /** Batches of requests; the requests of a batch are in flight together. */
  readonly batches: readonly (readonly Req[])[];
}

const req: fc.Arbitrary<Req> = fc.record({
  layer: fc.constantFrom(0 as const, 1 as const, 2 as const, 2 as const),
  kind: fc.constantFrom('read' as const, 'write' as const, 'write' as const, 'write-zeroes' as const, 'make-empty' as const),
  offset: fc.oneof(fc.integer({ min: 0, max: SIZE }), fc.integer({ min: 0, max: 64 }).map((k) => k * 4096)),
  bytes: fc.oneof(fc.integer({ min: 1, max: 5000 }), fc.integer({ min: 1, max: 32 }).map((k) => k * 4096)),
  pattern: fc.integer({ min: 0, max: 255 }),
});

const fault: fc.Arbitrary<Fault> = fc.oneof(
  fc.record({
    kind: fc.constant('io-error' as const),
    node: fc.constantFrom('raw', 'hidden', 'active'),
    op: fc.constantFrom('read' as const, 'write' as const, 'any' as const),
    errno: fc.constantFrom('EIO' as const, 'ENOSPC' as const),
    afterOps: fc.integer({ min: 0, max: 20 }),
    times: fc.integer({ min: 1, max: 3 }),
  }),
  fc.record({
    kind: fc.constant('latency' as const),
    node: fc.constantFrom('raw', 'hidden', 'active'),
    op: fc.constantFrom('read' as const, 'write' as const, 'any' as const),
    ticks: fc.integer({ min: 1, max: 50 }),
  }),
);

const workload: fc.Arbitrary<Workload> = fc.record({
  latencies: fc.tuple(fc.constantFrom(0, 3), fc.constantFrom(0, 3), fc.constantFrom(0, 3)),
  faults: fc.array(fault, { maxLength: 3 }),
  batches: fc.array(fc.array(req, { minLength: 1, maxLength: 6 }), { minLength: 1, maxLength: 6 }),
});

interface RunResult {
  readonly traceHash: string;
  /** Every request's outcome (read data hashed), in request order. */
  readonly outcomes: string;
  readonly choices: readonly number[];
  readonly ticks: number;
  readonly steps: number;
  readonly jsonl?: string;
}

async function runWorkload(w: Workload, seed: number, policy: PolicySpec, traceLevel: TraceLevel = 'hash'): Promise<RunResult> {
  const env = new SimEnv({ seed, policy, traceLevel, faults: w.faults });
  const raw = new RawNode(env, 'raw', SIZE, { fill: 0x5a });
  const hidden = new OverlayNode(env, 'hidden', SIZE, { clusterSize: 4096 });
  hidden.attach('backing', raw);
  const active = new OverlayNode(env, 'active', SIZE);
  active.attach('backing', hidden);
  const nodes = [raw, hidden, active] as const;
  nodes.forEach((n, i) => (n.latencyTicks = w.latencies[i]!));
  const outcomes: unknown[] = [];
  for (const batch of w.batches) {
    const tasks = batch.map((r, i) =>
      env.sched.spawn(`req${i}`, async () => {
        const node = nodes[r.layer];
        if (r.kind === 'read') return hashValue(await node.read(r.offset, r.bytes));
        if (r.kind === 'write') return node.write(r.offset, new Uint8Array(r.bytes).fill(r.pattern));
        if (r.kind === 'write-zeroes') return node.writeZeroes(r.offset, r.bytes);
        return node.makeEmpty();
      }),
    );
    await env.sched.run();
    for (const t of tasks) outcomes.push(t.outcome!.ok ? (t.outcome!.value ?? 'ok') : `${(t.outcome!.error as Error).message}`);
  }
  return {
    traceHash: env.trace.hash(),
    outcomes: JSON.stringify(outcomes),
    choices: [...env.recording.choices],
    ticks: env.now(),
    steps: env.sched.steps,
    ...(traceLevel === 'full' ? { jsonl: env.trace.toJsonl() } : {}),
  };
}

describe('determinism', () => {
  it('the same seed gives the same trace hash, results and schedule; replaying the schedule gives them again', async () => {
    await fc.assert(
      fc.asyncProperty(workload, fc.integer({ min: 0, max: 0xffffffff }), async (w, seed) => {
        const first = await runWorkload(w, seed, 'random');
        const second = await runWorkload(w, seed, 'random');
        expect(second).toEqual(first);
        expect(first.traceHash).toMatch(/^[0-9a-f]{16}$/);
        // Replay takes the recorded decisions and nothing else: not the seed's random stream. Under
        // another seed the schedule, trace and clock are the same; the data too, but for the bytes
        // QEMU leaves undefined after a failed padding read, which come from the seed's
        // "undefined-bytes/<node>" streams (so the whole run is compared under the same seed).
        const { outcomes: _outcomes, ...schedule } = first;
        const { outcomes: _otherBytes, ...replayedSchedule } = await runWorkload(w, seed + 1, { replay: first.choices });
        expect(replayedSchedule).toEqual(schedule);
        expect(await runWorkload(w, seed, { replay: first.choices })).toEqual(first);
        // Keeping events does not change the hash, and their text is as stable as the hash.
        const full = await runWorkload(w, seed, 'random', 'full');
        expect(full.traceHash).toBe(first.traceHash);
        expect((await runWorkload(w, seed, 'random', 'full')).jsonl).toBe(full.jsonl);
      }),
      { numRuns: runs(40), seed: suiteSeed(51) },
    );
  }, TIMEOUT_MS);

  it('the trace hash tells runs apart: FIFO and a random seed that schedule differently hash differently', async () => {
    await fc.assert(
      fc.asyncProperty(workload, fc.integer({ min: 0, max: 0xffffffff }), async (w, seed) => {
        const fifo = await runWorkload(w, seed, 'fifo', 'full');
        const random = await runWorkload(w, seed, 'random', 'full');
        // Equal hashes exactly when the kept events are equal (no collision on these runs).
        expect(fifo.traceHash === random.traceHash).toBe(fifo.jsonl === random.jsonl);
      }),
      { numRuns: runs(40), seed: suiteSeed(52) },
    );
  }, TIMEOUT_MS);
});

describe('interleavings under the random policy', () => {
  /** The order in which N concurrent cluster-sized writes to distinct clusters complete. */
  async function completionOrder(seed: number, policy: PolicySpec, n: number): Promise<number[]> {
    const env = new SimEnv({ seed, policy, traceLevel: 'off' });
    const raw = new RawNode(env, 'raw', SIZE);
    const top = new OverlayNode(env, 'top', SIZE, { clusterSize: 4096 });
    top.attach('backing', raw);
    const order: number[] = [];
    for (let i = 0; i < n; i++) {
      env.sched.spawn(`w${i}`, async () => {
        // A partial write: copy-on-write reads below, then the write; several steps each.
        await top.write(i * 4096 + 512, new Uint8Array(512).fill(i + 1));
        order.push(i);
      });
    }
    await env.sched.run();
    return order;
  }

  it('FIFO completes concurrent requests in submission order', async () => {
    expect(await completionOrder(0, 'fifo', 8)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(await completionOrder(99, 'fifo', 8)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
  });

  it('different seeds give different completion orders, and each seed reproduces its own', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uniqueArray(fc.integer({ min: 0, max: 0xffffffff }), { minLength: 6, maxLength: 6 }), async (seeds) => {
        const orders: string[] = [];
        for (const seed of seeds) {
          const order = await completionOrder(seed, 'random', 8);
          expect([...order].sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
          expect(await completionOrder(seed, 'random', 8)).toEqual(order);
          orders.push(order.join(','));
        }
        // 8 requests have 40320 orders: six seeds agreeing on one would mean the seed is ignored.
        expect(new Set(orders).size).toBeGreaterThanOrEqual(2);
      }),
      { numRuns: runs(20), seed: suiteSeed(53) },
    );
  }, TIMEOUT_MS);

  it('pins the completion order of a few seeds (a change means every recorded random schedule changed)', async () => {
    const pinned: Record<number, number[]> = {};
    for (const seed of [1, 2, 3]) pinned[seed] = await completionOrder(seed, 'random', 8);
    // Computed once with this engine: seed -> derived "schedule" stream -> RandomPolicy choices, each
    // choice made among everything that can run (the scheduler settles before choosing).
    // Changed once since: each write's copy-on-write became one merged read of its cluster (QEMU
    // 7.2's perform_cow, issue 12 D3) instead of two, so each task has fewer steps to interleave
    // (with the merge disabled the old orders come back).
    expect(pinned).toEqual({
      1: [3, 5, 0, 2, 6, 1, 7, 4],
      2: [5, 3, 1, 7, 4, 0, 6, 2],
      3: [4, 6, 3, 0, 5, 7, 2, 1],
    });
  });
});
