/*
 * Engine figures: whole scenarios per second on the gaps library, scenario steps per second on the
 * peer suite's port and on a 10,000-step random scenario (trace "hash", FIFO), and the memory of a 64 GiB replicated disk after 100 MiB written.
 */
import { fileURLToPath } from 'node:url';
import { parseScenario } from '../scenario/parseScenario.js';
import type { Scenario, ScenarioStep } from '../scenario/Scenario.js';
import { type EngineRun, runScenarioOnEngine } from '../scenario/runScenarioOnEngine.js';
import { scenariosIn } from '../scenario/scenarioFolder.js';
import { Prng } from '../sim/Prng.js';
import { collector, settle } from './memoryBench.js';
import type { BenchRow } from './report.js';
import { cpuNow, cpuSecondsSince, nowNs, secondsSince } from './timing.js';

const PEER = fileURLToPath(new URL('../../properties/scenarios/peer/', import.meta.url));
const GAPS = fileURLToPath(new URL('../../properties/scenarios/gaps/', import.meta.url));

/**
 * Runs of `scenarios` per second, after one warm-up pass: each run counts `units(run)` (its steps,
 * or 1 for whole scenarios: pair construction, every step, the trace hash). `wall` is per second
 * of real time (the figure targets are set in); `cpu` per second of the process's CPU time (its
 * collector's threads included), which other load on the machine changes far less.
 */
async function ratePerSecond(scenarios: readonly Scenario[], minSeconds: number, units: (run: EngineRun) => number): Promise<{ wall: number; cpu: number }> {
  for (const s of scenarios) await runScenarioOnEngine(s);
  const start = nowNs();
  const cpuStart = cpuNow();
  let counted = 0;
  do {
    for (const s of scenarios) counted += units(await runScenarioOnEngine(s));
  } while (secondsSince(start) < minSeconds);
  const wall = secondsSince(start);
  return { wall: counted / wall, cpu: counted / cpuSecondsSince(cpuStart) };
}

const perCpuSecond = (rate: { cpu: number }, unit: string): string => `${Math.round(rate.cpu).toLocaleString('en-US')} ${unit} per CPU second`;

const steps = (run: EngineRun): number => run.document.steps.length;
const wholeScenario = (): number => 1;

/** A long random scenario on a 1 MiB disk: writes and reads on both sides, checkpoints, status. */
export function randomScenario(stepCount: number, seed: number): Scenario {
  const p = Prng.fromSeed(seed);
  const size = 1 << 20;
  const steps: ScenarioStep[] = [{ do: 'start', side: 'both' }];
  for (let i = 1; i < stepCount; i++) {
    const k = p.int(0, 99);
    const offset = p.int(0, size / 512 - 16) * 512;
    const length = p.int(1, 16) * 512;
    if (k < 40) steps.push({ do: 'write', vm: 'primary', offset, length, pattern: p.int(1, 255) });
    else if (k < 60) steps.push({ do: 'write', vm: 'secondary', offset, length, pattern: p.int(1, 255) });
    else if (k < 85) steps.push({ do: 'read', vm: p.pick(['primary', 'secondary'] as const), offset, length });
    else if (k < 95) steps.push({ do: 'checkpoint', side: 'both' });
    else steps.push({ do: 'status', side: 'secondary' });
  }
  return parseScenario({ colosim: 1, name: `random-${stepCount}`, disk: { size }, steps });
}

export async function engineBench(quick: boolean): Promise<BenchRow[]> {
  const peer = scenariosIn(PEER);
  const gaps = scenariosIn(GAPS);
  const seconds = quick ? 1 : 3;
  const gapsRate = await ratePerSecond(gaps, seconds, wholeScenario);
  const peerRate = await ratePerSecond(peer, seconds, steps);
  const randomRate = await ratePerSecond([randomScenario(10_000, 7)], seconds, steps);
  return [
    { part: 'engine', name: `peer suite port (${peer.length} scenarios, 64 MiB disks)`, value: peerRate.wall, unit: 'steps/s', note: perCpuSecond(peerRate, 'steps') },
    { part: 'engine', name: 'random scenario of 10,000 steps (1 MiB disk)', value: randomRate.wall, unit: 'steps/s', note: perCpuSecond(randomRate, 'steps') },
    // The QEMU side of the library ratio needs QEMU: npx tsx src/qemu/benchLibrary.ts.
    { part: 'engine', name: `gaps library (${gaps.length} scenarios, 1-4 MiB disks), whole scenarios`, value: gapsRate.wall, unit: 'scenarios/s', note: perCpuSecond(gapsRate, 'scenarios'), target: '>= 2,000', met: gapsRate.wall >= 2000 },
    ...(await bigDiskMemory()),
  ];
}

/** 64 GiB disks, 100 MiB written by the primary (and forwarded, copied before write) in 1 MiB requests. */
async function bigDiskMemory(): Promise<BenchRow[]> {
  const gc = collector();
  const before = await settle(gc);
  const MiB = 1 << 20;
  const steps: ScenarioStep[] = [{ do: 'start', side: 'both' }];
  for (let i = 0; i < 100; i++) steps.push({ do: 'write', vm: 'primary', offset: i * 655 * MiB, length: MiB, pattern: (i % 250) + 1 });
  const scenario = parseScenario({ colosim: 1, name: 'big', disk: { size: 64 * 1024 * MiB }, steps });
  const run = await runScenarioOnEngine(scenario, { traceLevel: 'off' });
  const after = await settle(gc);
  const grown = after.arrayBuffers + after.heapUsed - (before.arrayBuffers + before.heapUsed);
  const stores = run.pair.primary.disks[0]!.local.store.reservedBytes + run.pair.secondary.disks[0]!.disk.store.reservedBytes;
  return [
    { part: 'engine', name: '64 GiB disks, 100 MiB written: process growth', value: grown / MiB, unit: 'MiB', note: `primary + secondary stores reserve ${(stores / MiB).toFixed(0)} MiB, plus hidden's copies` },
  ];
}
