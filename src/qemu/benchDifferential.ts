/*
 * The engine's side of a differential campaign's speed ratio: runs the scenarios `colosim diff
 * --generate N --seed S [--faults]` generates (the same fast-check stream, in order) on the engine
 * alone, as runDifferential does (no checker), and prints the time and the rate:
 * `npx tsx src/qemu/benchDifferential.ts N S [--faults]`. Divide the campaign's wall time per run
 * (run.json: wallMs / runs) by this per-scenario time for the ratio. Not a test (timings vary).
 */
import fc from 'fast-check';
import { differentialScenarioArbitrary } from '../check/differential.js';
import { parseScenario } from '../scenario/parseScenario.js';
import { runScenarioOnEngine } from '../scenario/runScenarioOnEngine.js';

const runs = Number(process.argv[2] ?? 1000);
const seed = Number(process.argv[3] ?? 1);
const faults = process.argv.includes('--faults');
const scenarios = fc.sample(differentialScenarioArbitrary({ faults }), { numRuns: runs, seed }).map((f) => parseScenario(f));
for (const s of scenarios.slice(0, 50)) await runScenarioOnEngine(s); // warm-up (JIT)
const t0 = performance.now();
let steps = 0;
for (const s of scenarios) steps += (await runScenarioOnEngine(s)).document.steps.length;
const ms = performance.now() - t0;
console.log(`engine alone: ${runs} scenarios (seed ${seed}${faults ? ', faults' : ''}), ${steps} step results, ${ms.toFixed(0)} ms, ${((runs * 1000) / ms).toFixed(1)} scenarios/s, ${(ms / runs).toFixed(2)} ms a scenario`);
