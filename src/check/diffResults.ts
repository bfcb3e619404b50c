/*
 * Compares the result documents two backends gave for one scenario, step by step (and sub-step by
 * sub-step inside a concurrent step), on the fields a result can carry: ok, error, code, errno,
 * runs, replicationError, desc. A step either side skipped is counted, not compared; a CRASH is
 * compared by its code only (what each backend saw of the crash is its own); a run that aborted is
 * itself a difference. The first document is the engine's, the second QEMU's.
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
}

export const COMPARED_FIELDS = ['ok', 'error', 'code', 'errno', 'runs', 'replicationError', 'desc'] as const;

export function diffResults(engine: ResultDocument, qemu: ResultDocument): ResultDiff {
  const out: Difference[] = [];
  const counts = { compared: 0, skipped: 0 };
  if (engine.aborted !== undefined || qemu.aborted !== undefined) {
    out.push({ step: 'run', field: 'aborted', engine: engine.aborted, qemu: qemu.aborted });
  }
  const length = Math.max(engine.steps.length, qemu.steps.length);
  for (let i = 0; i < length; i++) compareStep(engine.steps[i], qemu.steps[i], String(i), out, counts);
  return { differences: out, ...counts };
}

function compareStep(
  engine: StepResult | undefined,
  qemu: StepResult | undefined,
  where: string,
  out: Difference[],
  counts: { compared: number; skipped: number },
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
  for (const field of fields) {
    if (!same(engine[field], qemu[field])) out.push({ step: where, field, engine: engine[field], qemu: qemu[field] });
  }
  if (engine.steps === undefined && qemu.steps === undefined) return;
  const subs = Math.max(engine.steps?.length ?? 0, qemu.steps?.length ?? 0);
  for (let j = 0; j < subs; j++) compareStep(engine.steps?.[j], qemu.steps?.[j], `${where}.${j}`, out, counts);
}

function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}
