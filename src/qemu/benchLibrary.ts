/*
 * How much faster the engine is than real QEMU on the scenario library: runs every file of
 * properties/scenarios/{peer,gaps} on QEMU (fresh processes and images each, start-up included,
 * templates shared as a QemuSession allows) and on the engine, and prints scenarios per second and
 * the ratio: `npx tsx src/qemu/benchLibrary.ts [qemuRounds] [engineRounds]`. Not a test (timings vary).
 * Both sides are timed in real time, each the same way (every run of the set, one after another);
 * the engine's rate per second of its process's CPU time is printed too (QEMU's runs in processes
 * of their own, whose CPU time is not measured): on a loaded machine it moves far less.
 */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runScenarioOnEngine } from '../scenario/runScenarioOnEngine.js';
import type { Scenario } from '../scenario/Scenario.js';
import { scenariosIn } from '../scenario/scenarioFolder.js';
import { QemuSession, runScenarioOnQemu } from './QemuBackend.js';
import { cpuNow, cpuSecondsSince } from '../bench/timing.js';

const LIBRARY = fileURLToPath(new URL('../../properties/scenarios/', import.meta.url));

function folder(name: string): Scenario[] {
  return scenariosIn(join(LIBRARY, name));
}

/** Runs per second of real time, and per second of this process's CPU time. */
async function timed(rounds: number, scenarios: readonly Scenario[], run: (s: Scenario) => Promise<unknown>): Promise<{ wall: number; cpu: number }> {
  const t0 = performance.now();
  const cpu0 = cpuNow();
  for (let r = 0; r < rounds; r++) for (const s of scenarios) await run(s);
  const seconds = (performance.now() - t0) / 1000;
  return { wall: (rounds * scenarios.length) / seconds, cpu: (rounds * scenarios.length) / cpuSecondsSince(cpu0) };
}

const qemuRounds = Number(process.argv[2] ?? 3);
const engineRounds = Number(process.argv[3] ?? 30);
const sets: [string, Scenario[]][] = [
  ['peer (64 MiB disks)', folder('peer')],
  ['gaps (1 MiB disks)', folder('gaps')],
  ['whole library', [...folder('peer'), ...folder('gaps')]],
];
const session = new QemuSession();
try {
  for (const s of sets[2]![1]) await runScenarioOnQemu(s, { session }); // builds the image templates
  for (const s of sets[2]![1]) await runScenarioOnEngine(s); // warm-up (JIT)
  console.log(`QEMU: ${qemuRounds} rounds, fresh processes and images each, start-up included; engine: ${engineRounds} rounds`);
  for (const [name, scenarios] of sets) {
    const qemu = await timed(qemuRounds, scenarios, (s) => runScenarioOnQemu(s, { session }));
    const engine = await timed(engineRounds, scenarios, (s) => runScenarioOnEngine(s));
    console.log(
      `${name.padEnd(20)} ${String(scenarios.length).padStart(3)} scenarios: QEMU ${qemu.wall.toFixed(2)}/s, engine ${engine.wall.toFixed(1)}/s (${engine.cpu.toFixed(1)} per CPU second), engine ${(engine.wall / qemu.wall).toFixed(0)}x faster`,
    );
  }
} finally {
  await session.close();
}
