/*
 * `npm run bench [-- --only store,io,memory,engine,campaign,checker,charts,mutants] [--json] [--quick]
 * [--campaign-memory N]`: colosim's performance figures, measured in one process: sector-store
 * throughput against Buffer.copy, 4 KiB I/O per second through the scheduler and an overlay chain,
 * the memory of a sparse 1 TiB store, engine steps per second, campaign cases per second, the
 * checker's share of a case (data model on and off), chart rendering, and the time campaigns take to catch each catalogued engine mutant. Real time is read here and nowhere else in the simulation.
 */
import { parseArgs } from 'node:util';
import { ioBench, schedulerBench } from './ioBench.js';
import { campaignBench } from './campaignBench.js';
import { chartBench } from './chartBench.js';
import { checkerCostBench } from './checkerCostBench.js';
import { engineBench } from './engineBench.js';
import { memoryBench } from './memoryBench.js';
import { mutantBench } from './mutantBench.js';
import { type BenchRow, formatTable } from './report.js';
import { storeBench } from './storeBench.js';

const PARTS = ['store', 'io', 'memory', 'engine', 'campaign', 'checker', 'charts', 'mutants'] as const;
type Part = (typeof PARTS)[number];

const USAGE = `usage: npm run bench -- [--only ${PARTS.join(',')}] [--json] [--quick]
  --only   comma-separated parts to run (default: all)
  --json   print the rows as JSON instead of a table
  --quick  shorter measurements (noisier), for a smoke test
  --campaign-memory N  also measure the peak memory of an N-case campaign (100000 takes ~20 min)`;

function parseOptions(): { parts: Part[]; json: boolean; quick: boolean; memoryCases: number } {
  const { values } = parseArgs({
    options: {
      only: { type: 'string' },
      json: { type: 'boolean' },
      quick: { type: 'boolean' },
      'campaign-memory': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const parts = values.only === undefined ? [...PARTS] : values.only.split(',').map((p) => p.trim());
  const unknown = parts.filter((p) => !(PARTS as readonly string[]).includes(p));
  if (unknown.length > 0) throw new Error(`unknown part(s) ${unknown.join(', ')}; choose from ${PARTS.join(', ')}`);
  const memoryCases = Number(values['campaign-memory'] ?? 0);
  if (!Number.isSafeInteger(memoryCases) || memoryCases < 0) throw new Error(`--campaign-memory must be a number of cases, got ${values['campaign-memory']}`);
  return { parts: parts as Part[], json: values.json ?? false, quick: values.quick ?? false, memoryCases };
}

async function ioRows(quick: boolean): Promise<BenchRow[]> {
  const requests = quick ? 100_000 : 400_000;
  const rounds = quick ? 1 : 3;
  const rows: BenchRow[] = [];
  const variants = [
    { traceLevel: 'off', policy: 'fifo', target: true },
    { traceLevel: 'hash', policy: 'fifo', target: false },
    { traceLevel: 'off', policy: 'random', target: false },
  ] as const;
  for (const v of variants) {
    const result = await ioBench({ traceLevel: v.traceLevel, policy: v.policy, queueDepth: 32, requests, rounds });
    const name = `4 KiB I/O, QD32, trace ${v.traceLevel}, ${v.policy}`;
    // The target is per core: CPU time, so that other work on a shared machine does not count.
    rows.push({
      part: 'io',
      name: `${name}, per CPU second`,
      value: result.iopsPerCpuSecond,
      unit: 'I/O/s',
      note: `${result.stepsPerRequest.toFixed(1)} scheduler steps/I/O`,
      ...(v.target ? { target: '>= 500,000', met: result.iopsPerCpuSecond >= 500_000 } : {}),
    });
    rows.push({ part: 'io', name: `${name}, wall clock`, value: result.iops, unit: 'I/O/s' });
  }
  const stepsPerSecond = await schedulerBench(32, requests, rounds);
  rows.push({ part: 'io', name: 'scheduler alone: yield, QD32 (ceiling)', value: stepsPerSecond, unit: 'steps/s' });
  return rows;
}

async function main(): Promise<void> {
  const { parts, json, quick, memoryCases } = parseOptions();
  const rows: BenchRow[] = [];
  // Memory first, while the heap holds nothing from the other parts.
  const memory = parts.includes('memory') ? await memoryBench() : [];
  if (parts.includes('store')) rows.push(...(quick ? storeBench(0.05, 3) : storeBench(0.1, 9)));
  if (parts.includes('io')) rows.push(...(await ioRows(quick)));
  rows.push(...memory);
  if (parts.includes('engine')) rows.push(...(await engineBench(quick)));
  if (parts.includes('campaign')) rows.push(...(await campaignBench(quick, memoryCases)));
  if (parts.includes('checker')) rows.push(...(await checkerCostBench(quick)));
  if (parts.includes('charts')) rows.push(...(await chartBench()));
  if (parts.includes('mutants')) rows.push(...(await mutantBench(quick)));
  if (json) {
    console.log(JSON.stringify({ node: process.version, rows }, null, 2));
    return;
  }
  console.log(`colosim bench (node ${process.version}, ${process.arch})\n`);
  console.log(formatTable(rows));
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 2;
});
