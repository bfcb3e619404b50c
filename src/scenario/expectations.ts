/*
 * Compares a result document with the expectations a scenario file carries (each step's `expect`):
 * every field an expectation names must match exactly; fields it does not name are not checked.
 */
import type { ExpectedResult, Scenario, ScenarioStep } from './Scenario.js';
import type { ResultDocument, StepResult } from './StepResult.js';

export interface Mismatch {
  /** "3" for a step, "3.1" for the second sub-step of a concurrent step. */
  readonly step: string;
  readonly field: string;
  readonly expected: unknown;
  readonly actual: unknown;
}

const FIELDS = ['ok', 'error', 'code', 'errno', 'runs', 'replicationError', 'desc'] as const;

export function compareExpectations(scenario: Scenario, document: ResultDocument): Mismatch[] {
  const mismatches: Mismatch[] = [];
  scenario.steps.forEach((step, i) => {
    const result = document.steps[i];
    compareStep(step, result, String(i), mismatches);
  });
  return mismatches;
}

/** Whether a scenario states any expectation at all. */
export function hasExpectations(scenario: Scenario): boolean {
  return scenario.steps.some((s) => s.expect !== undefined || (s.do === 'concurrent' && s.steps.some((c) => (c as ScenarioStep).expect !== undefined)));
}

function compareStep(step: ScenarioStep, result: StepResult | undefined, where: string, out: Mismatch[]): void {
  if (step.expect) compareFields(step.expect, result, where, out);
  if (step.do === 'concurrent') {
    step.steps.forEach((sub, j) => compareStep(sub as ScenarioStep, result?.steps?.[j], `${where}.${j}`, out));
  }
}

function compareFields(expect: ExpectedResult, result: StepResult | undefined, where: string, out: Mismatch[]): void {
  if (!result) {
    out.push({ step: where, field: '(step)', expected: expect, actual: 'not run' });
    return;
  }
  if (result.skipped !== undefined) return;
  for (const field of FIELDS) {
    if (expect[field] === undefined) continue;
    if (JSON.stringify(expect[field]) !== JSON.stringify(result[field])) {
      out.push({ step: where, field, expected: expect[field], actual: result[field] });
    }
  }
}
