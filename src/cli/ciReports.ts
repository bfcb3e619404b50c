/*
 * Each command's findings as a CI report (ciReport.ts): fuzz, a case per invariant, the violated
 * one pointing at the counterexample's step; run, a case per file with its unmet expectations and
 * violations; diff, a case per scenario with its differences and model violations, or one for a
 * generated campaign. Every failure names the npx command that reruns it.
 */
import { readFileSync } from 'node:fs';
import type { DifferentialCheckResult } from '../check/differential.js';
import { INVARIANTS, type Violation } from '../check/Invariant.js';
import type { CampaignSummary } from '../fuzz/CampaignSummary.js';
import type { Mismatch } from '../scenario/expectations.js';
import type { ResultDocument } from '../scenario/StepResult.js';
import type { CiFailure, CiReport } from './ciReport.js';
import { lineOf } from './jsonLocation.js';

/** The line of step "3" or "3.1" in the file (undefined when unreadable or not found). */
function stepLine(file: string, step: string | number): number | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  const [top, sub] = String(step).split('.').map(Number);
  if (top === undefined || Number.isNaN(top)) return undefined;
  return lineOf(text, sub === undefined ? ['steps', top] : ['steps', top, 'steps', sub]) ?? lineOf(text, ['steps', top]);
}

function at(file: string, step: string | number, message: string, rerun: string): CiFailure {
  const line = stepLine(file, step);
  return line === undefined ? { message, file, rerun } : { message, file, line, rerun };
}

const violationLine = (v: Violation) => `${v.invariant} (${INVARIANTS[v.invariant].kind}) at step ${v.step}: ${v.message}`;

export function fuzzReport(s: CampaignSummary, rerun: string): CiReport {
  const c = s.counterexample;
  const cases = Object.entries(s.invariants).map(([name, count]) => ({
    name,
    detail: `${count.checks} check(s), ${count.violations} violation(s)`,
    ...(count.checks === 0 ? { skipped: `no check of ${name} ran in ${s.cases} case(s): the campaign never reached what it guards` } : {}),
    failures: c !== undefined && c.invariant === name ? [at(c.path, c.step, `${name} at step ${c.step}: ${c.message}`, `npx colosim replay ${c.path}`)] : [],
  }));
  if (s.interrupted) cases.push({ name: 'campaign', detail: '', failures: [{ message: `interrupted after ${s.cases} of ${s.runsRequested} cases`, rerun: `npx ${rerun}` }] });
  return { suite: `colosim fuzz seed ${s.seed}`, classname: 'colosim.fuzz', cases, timeMs: s.wallMs };
}

export function runReport(file: string, document: ResultDocument, mismatches: readonly Mismatch[], violations: readonly Violation[], checked: boolean): CiReport {
  const rerun = `npx colosim run ${file}${checked ? ' --check' : ''}${document.backend === 'qemu' ? ' --backend qemu' : ''}`;
  const failures = [
    ...mismatches.map((m) => at(file, m.step, `step ${m.step} ${m.field}: expected ${JSON.stringify(m.expected)}, got ${JSON.stringify(m.actual)}`, rerun)),
    ...violations.map((v) => at(file, v.step, violationLine(v), rerun)),
    ...(document.aborted ? [at(file, document.aborted.step, `aborted at step ${document.aborted.step}: ${document.aborted.code}: ${document.aborted.message}`, rerun)] : []),
  ];
  return { suite: `colosim run ${file}`, classname: 'colosim.run', cases: [{ name: document.scenario, failures }] };
}

export interface DiffFileResult {
  readonly file: string;
  readonly scenario: string;
  readonly differences: readonly { readonly step: string; readonly field: string; readonly engine: unknown; readonly qemu: unknown }[];
  readonly model: { readonly violations: readonly Violation[] };
}

export function diffFilesReport(target: string, results: readonly DiffFileResult[]): CiReport {
  const cases = results.map((r) => {
    const rerun = `npx colosim diff ${r.file}`;
    const failures = [
      ...r.differences.map((d) => at(r.file, d.step, `step ${d.step} ${d.field}: engine ${JSON.stringify(d.engine)}, qemu ${JSON.stringify(d.qemu)}`, rerun)),
      ...r.model.violations.map((v) => at(r.file, v.step, `model: ${violationLine(v)}`, rerun)),
    ];
    return { name: r.file, failures };
  });
  return { suite: `colosim diff ${target}`, classname: 'colosim.diff', cases };
}

export function diffGeneratedReport(result: DifferentialCheckResult, rerun: string): CiReport {
  const failures: CiFailure[] = [];
  const f = result.failure;
  if (f !== undefined) {
    const first = f.differences[0];
    const message = first === undefined ? 'difference' : `step ${first.step} ${first.field}: engine ${JSON.stringify(first.engine)}, qemu ${JSON.stringify(first.qemu)}`;
    failures.push(at(f.file, first?.step ?? 0, `${f.differences.length} difference(s); ${message}`, `npx colosim diff ${f.file}`));
  }
  const q = result.qemuFailure;
  if (q !== undefined) failures.push(q.file === undefined ? { message: `no verdict: ${q.message}`, rerun: `npx ${rerun}` } : at(q.file, q.step ?? 0, `no verdict: ${q.message}`, `npx colosim run --backend qemu ${q.file}`));
  return { suite: `colosim diff --generate seed ${result.seed}`, classname: 'colosim.diff', cases: [{ name: `${result.scenarios} generated scenario(s)`, failures }] };
}
