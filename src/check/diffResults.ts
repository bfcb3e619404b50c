/*
 * Compares the result documents two backends gave for one scenario, step by step (and sub-step by
 * sub-step inside a concurrent step), on the fields a result can carry: ok, error, code, errno,
 * runs, replicationError, desc. A step either side skipped is counted, not compared; a CRASH is
 * compared by its code only (what each backend saw of the crash is its own); a run that aborted is
 * itself a difference. The first document is the engine's, the second QEMU's.
 * With the engine's documents under the other orders of the concurrent sub-steps
 * (admissibleAnswers.ts), a step whose answer those orders change is compared against the set:
 * QEMU's answer (every compared field of the step at once) passes when some order gives it, and
 * is otherwise reported field by field against the engine's own order, as any difference.
 */
import type { ResultDocument, StepResult } from '../scenario/StepResult.js';

export interface Difference {
  /** "3" for a step, "3.1" for the second sub-step of a concurrent step, "run" for the whole run. */
  readonly step: string;
  readonly field: string;
  readonly engine: unknown;
  readonly qemu: unknown;
}

export interface ResultDiff {
  readonly differences: Difference[];
  /** Step results compared (a concurrent step and each of its sub-steps count once each). */
  readonly compared: number;
  /** Step results not compared because a backend skipped them. */
  readonly skipped: number;
  /** Of `compared`, the step results compared against the set of answers the orders admit (the rest exactly). */
  readonly setCompared: number;
}

export const COMPARED_FIELDS = ['ok', 'error', 'code', 'errno', 'runs', 'replicationError', 'desc'] as const;

interface Counts {
  compared: number;
  skipped: number;
  setCompared: number;
}

/** `orders`: the engine's results under the other orders of the concurrent sub-steps, at the same positions (none: exact). */
export function diffResults(engine: ResultDocument, qemu: ResultDocument, orders: readonly ResultDocument[] = []): ResultDiff {
  const out: Difference[] = [];
  const counts: Counts = { compared: 0, skipped: 0, setCompared: 0 };
  if (engine.aborted !== undefined || qemu.aborted !== undefined) {
    out.push({ step: 'run', field: 'aborted', engine: engine.aborted, qemu: qemu.aborted });
  }
  const length = Math.max(engine.steps.length, qemu.steps.length);
  for (let i = 0; i < length; i++) compareStep(engine.steps[i], qemu.steps[i], String(i), out, counts, orders.map((d) => d.steps[i]));
  return { differences: out, ...counts };
}

function compareStep(
  engine: StepResult | undefined,
  qemu: StepResult | undefined,
  where: string,
  out: Difference[],
  counts: Counts,
  others: readonly (StepResult | undefined)[],
): void {
  if (engine === undefined || qemu === undefined) {
    // A step one run never reached (it aborted, or the documents are of different scenarios).
    out.push({ step: where, field: '(step)', engine: engine === undefined ? 'not run' : 'run', qemu: qemu === undefined ? 'not run' : 'run' });
    return;
  }
  if (engine.skipped !== undefined || qemu.skipped !== undefined) {
    counts.skipped += 1 + Math.max(engine.steps?.length ?? 0, qemu.steps?.length ?? 0);
    return;
  }
  counts.compared++;
  const fields = engine.code === 'CRASH' || qemu.code === 'CRASH' ? (['code'] as const) : COMPARED_FIELDS;
  const admitted = admissible(engine, others, fields);
  if (admitted.size > 1) counts.setCompared++;
  if (!admitted.has(answer(qemu, fields))) {
    for (const field of fields) {
      if (!same(engine[field], qemu[field])) out.push({ step: where, field, engine: engine[field], qemu: qemu[field] });
    }
  }
  if (engine.steps === undefined && qemu.steps === undefined) return;
  const subs = Math.max(engine.steps?.length ?? 0, qemu.steps?.length ?? 0);
  for (let j = 0; j < subs; j++) compareStep(engine.steps?.[j], qemu.steps?.[j], `${where}.${j}`, out, counts, others.map((o) => o?.steps?.[j]));
}

/** The step's answers over the engine's order and the others that ran it (unskipped), as answer() keys. */
function admissible(engine: StepResult, others: readonly (StepResult | undefined)[], fields: readonly (typeof COMPARED_FIELDS)[number][]): Set<string> {
  const set = new Set([answer(engine, fields)]);
  for (const other of others) if (other !== undefined && other.skipped === undefined) set.add(answer(other, fields));
  return set;
}

/** A step's compared fields as one key (absent fields as null). */
function answer(result: StepResult, fields: readonly (typeof COMPARED_FIELDS)[number][]): string {
  return JSON.stringify(fields.map((f) => result[f] ?? null));
}

function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}
