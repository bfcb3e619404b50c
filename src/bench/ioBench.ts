/*
 * Guest-sized I/O through the whole simulated stack: the scheduler, a raw <- hidden <- active
 * chain (64 KiB clusters) with an empty fault plan, 4 KiB requests at queue depth 32 over a 16 MiB
 * working set whose clusters are allocated first (steady state). Half reads, half writes, at
 * offsets drawn from a seeded stream.
 */
import { OverlayNode } from '../block/OverlayNode.js';
import { RawNode } from '../block/RawNode.js';
import { SimEnv } from '../sim/SimEnv.js';
import type { TraceLevel } from '../sim/Trace.js';
import { cpuNow, cpuSecondsSince, median, nowNs, secondsSince } from './timing.js';

const BLOCK = 4096;
const DISK = 64 << 20;
const WORKING_SET = 16 << 20;
const PATTERN_LENGTH = 1 << 16;

export interface IoBenchOptions {
  readonly traceLevel: TraceLevel;
  readonly policy: 'fifo' | 'random';
  readonly queueDepth: number;
  /** Requests per measured round. */
  readonly requests: number;
  readonly rounds: number;
}

export interface IoBenchResult {
  /** Requests per wall-clock second. */
  readonly iops: number;
  /** Requests per second of this process's CPU time: what one core does, whatever else the machine runs. */
  readonly iopsPerCpuSecond: number;
  readonly stepsPerRequest: number;
}

interface RoundRate {
  readonly wall: number;
  readonly cpu: number;
}

/** Builds the chain and allocates every cluster of the working set in both overlays. */
async function allocatedChain(options: IoBenchOptions): Promise<{ env: SimEnv; active: OverlayNode }> {
  const env = new SimEnv({ seed: 1, policy: options.policy, traceLevel: options.traceLevel, faults: [] });
  const raw = new RawNode(env, 'raw', DISK);
  const hidden = new OverlayNode(env, 'hidden', DISK);
  hidden.attach('backing', raw);
  const active = new OverlayNode(env, 'active', DISK);
  active.attach('backing', hidden);
  const cluster = new Uint8Array(hidden.clusterSize).fill(1);
  env.sched.spawn('allocate', async () => {
    for (let off = 0; off < WORKING_SET; off += cluster.length) {
      await hidden.write(off, cluster);
      await active.write(off, cluster);
    }
  });
  await env.sched.run();
  return { env, active };
}

async function runRound(env: SimEnv, active: OverlayNode, options: IoBenchOptions, offsets: Int32Array): Promise<RoundRate> {
  const data = new Uint8Array(BLOCK).fill(2);
  let issued = 0;
  const worker = async (): Promise<void> => {
    while (issued < options.requests) {
      const i = issued++;
      const offset = offsets[i & (PATTERN_LENGTH - 1)]!;
      // Odd offsets in the pattern read, even ones write (offsets are multiples of 4 KiB, so the
      // low bit is free to carry the choice).
      if (offset & 1) await active.read(offset - 1, BLOCK);
      else await active.write(offset, data);
    }
  };
  for (let q = 0; q < options.queueDepth; q++) env.sched.spawn(`qd${q}`, worker);
  const start = nowNs();
  const cpuStart = cpuNow();
  await env.sched.run();
  const cpuSeconds = cpuSecondsSince(cpuStart);
  return { wall: options.requests / secondsSince(start), cpu: options.requests / cpuSeconds };
}

export async function ioBench(options: IoBenchOptions): Promise<IoBenchResult> {
  const { env, active } = await allocatedChain(options);
  const prng = env.prng.derive('bench-offsets');
  const offsets = new Int32Array(PATTERN_LENGTH);
  for (let i = 0; i < PATTERN_LENGTH; i++) offsets[i] = prng.int(0, WORKING_SET / BLOCK - 1) * BLOCK + (prng.chance(1, 2) ? 1 : 0);
  // Warm-up round: lets the JIT settle before anything is timed.
  await runRound(env, active, { ...options, requests: Math.min(options.requests, 100_000) }, offsets);
  const stepsBefore = env.sched.steps;
  const rates: RoundRate[] = [];
  for (let r = 0; r < options.rounds; r++) rates.push(await runRound(env, active, options, offsets));
  return {
    iops: median(rates.map((r) => r.wall)),
    iopsPerCpuSecond: median(rates.map((r) => r.cpu)),
    stepsPerRequest: (env.sched.steps - stepsBefore) / (options.rounds * options.requests),
  };
}

/** The scheduler alone: QD tasks that only yield, one step each; the ceiling for any I/O path. */
export async function schedulerBench(queueDepth: number, yields: number, rounds: number): Promise<number> {
  const rates: number[] = [];
  for (let r = 0; r <= rounds; r++) {
    const env = new SimEnv({ seed: 1, traceLevel: 'off' });
    let left = yields;
    for (let q = 0; q < queueDepth; q++) {
      env.sched.spawn(`qd${q}`, async () => {
        while (left-- > 0) await env.sched.yield('y');
      });
    }
    const start = nowNs();
    await env.sched.run();
    // Round 0 warms the JIT up.
    if (r > 0) rates.push(yields / secondsSince(start));
  }
  return median(rates);
}
