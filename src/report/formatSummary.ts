/*
 * The campaign summary as a person reads it at a terminal: what ran, how fast, each invariant with
 * its checks and violations, how many disk-steps the data model checked, each fault kind with how often it fired, chart coverage, and where the
 * counterexample is.
 */
import type { DataCheckCount } from '../check/DataCheckCount.js';
import { INVARIANTS, type InvariantName } from '../check/Invariant.js';
import type { CampaignSummary } from '../fuzz/CampaignSummary.js';
import type { GeneratorDistribution } from '../fuzz/GeneratorDistribution.js';
import { formatCampaignScale } from './formatCampaignScale.js';
import { TICKS_PER_SECOND } from '../sim/Clock.js';

export function formatSummary(s: CampaignSummary): string {
  const wallS = s.wallMs / 1000;
  const lines = [
    `colosim fuzz: seed ${s.seed}, profile ${s.options.profile}, faults ${s.options.faults}, up to ${s.options.steps} steps a case`,
    `  cases        ${s.cases}${s.interrupted ? ` of ${s.runsRequested} (interrupted)` : ''}`,
    `  steps        ${s.steps}`,
    `  simulated    ${(s.simulatedTicks / TICKS_PER_SECOND).toFixed(3)} s`,
    `  wall         ${wallS.toFixed(2)} s`,
    `  speed        ${rate(s.cases, wallS)} cases/s, ${rate(s.steps, wallS)} steps/s`,
    `  determinism  ${s.determinismChecks} case(s) run twice`,
    'invariants (checks / violations):',
  ];
  for (const [name, count] of Object.entries(s.invariants) as [InvariantName, { checks: number; violations: number }][]) {
    lines.push(`  ${name.padEnd(26)} ${String(count.checks).padStart(9)} / ${count.violations}${count.violations > 0 ? '  <-- VIOLATED' : ''}  (${INVARIANTS[name].kind})`);
  }
  lines.push(`data check: ${formatDataCheck(s.dataCheck)}`);
  lines.push('faults fired:');
  for (const [kind, n] of Object.entries(s.faults)) lines.push(`  ${kind.padEnd(26)} ${String(n).padStart(9)}`);
  lines.push(...formatGenerator(s.generator));
  const distinct = (keys: Record<string, number>, chart: string) => Object.keys(keys).filter((k) => k.startsWith(`${chart}.`)).length;
  const charts = ['node', 'pair', 'backup', 'commit'].map((c) => `${c} ${distinct(s.states, c)}/${distinct(s.transitions, c)}`);
  lines.push(`chart coverage (distinct states/transitions visited; report.html has the denominators): ${charts.join(', ')}`);
  if (s.counterexample) {
    const c = s.counterexample;
    lines.push(`VIOLATION ${c.invariant} at step ${c.step}: ${c.message}`);
    lines.push(`  counterexample (${c.steps} steps after ${c.shrinkRuns} shrink runs): ${c.path}`);
    lines.push(`  replay: npx colosim replay ${c.path}`);
  } else if (s.workerDeaths.length === 0 && !s.corpus?.some((c) => c.status === 'still failing')) {
    lines.push(s.interrupted || s.timeUp ? 'no violation in the cases run' : 'no violation');
  }
  lines.push(...formatCampaignScale(s));
  lines.push(`summary hash ${s.summaryHash}`);
  return lines.join('\n');
}

/** What was tried, in one line per measure (the full counts are in run.json). */
function formatGenerator(g: GeneratorDistribution): string[] {
  const counts = (r: Record<string, number>) => Object.entries(r).map(([k, n]) => `${k}:${n}`).join(' ');
  return [
    `generated (full counts in run.json): ${Object.keys(g.ops).length} step kinds, ${Object.keys(g.faults).length} fault kinds`,
    `  I/O sizes    ${counts(g.ioSizes)}`,
    `  concurrency  ${counts(g.concurrencyWidths)}`,
    `  disks        ${counts(g.disks)}`,
    `  disk sizes   ${counts(g.diskSizes)}`,
  ];
}

/**
 * "12 of 12 disk-steps checked (100.0 %); indeterminate (checked against the admissible set): reason 3, ...".
 * An indeterminate disk-step is still checked, against every value its ranges admit; the reasons count
 * disk-steps (one step can have several), not unchecked ones.
 */
export function formatDataCheck(c: DataCheckCount): string {
  const reasons = Object.entries(c.indeterminate).map(([reason, n]) => `${reason} ${n}`);
  const percent = (100 * c.checkedFraction).toFixed(1);
  return `${c.checked} of ${c.diskSteps} disk-steps checked (${percent} %)${reasons.length > 0 ? `; indeterminate (checked against the admissible set): ${reasons.join(', ')}` : ''}`;
}

function rate(n: number, seconds: number): string {
  return seconds > 0 ? (n / seconds).toFixed(1) : '-';
}
