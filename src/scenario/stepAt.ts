/*
 * The step a difference or violation names by its position: "3" is the fourth top-level step, "3.1"
 * the second part of that concurrent group. Undefined when the position is not in the scenario.
 * resultAt finds a step's result in a result document the same way.
 */
import type { Scenario, Step } from './Scenario.js';
import type { StepResult } from './StepResult.js';

export function stepAt(scenario: Scenario, where: string): Step | undefined {
  const [top, sub] = where.split('.').map(Number);
  const step = top === undefined || Number.isNaN(top) ? undefined : scenario.steps[top];
  return sub === undefined || step?.do !== 'concurrent' ? step : step.steps[sub];
}

export function resultAt(results: readonly StepResult[], where: string): StepResult | undefined {
  const [top, sub] = where.split('.').map(Number);
  const result = top === undefined || Number.isNaN(top) ? undefined : results[top];
  return sub === undefined ? result : result?.steps?.[sub];
}

/** A difference's engine or QEMU value as printed: JSON, or "-" where that side has none. */
export function showValue(value: unknown): string {
  return value === undefined ? '-' : JSON.stringify(value);
}
