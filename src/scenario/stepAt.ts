/*
 * The step a difference or violation names by its position: "3" is the fourth top-level step, "3.1"
 * the second part of that concurrent group. Undefined when the position is not in the scenario.
 */
import type { Scenario, Step } from './Scenario.js';

export function stepAt(scenario: Scenario, where: string): Step | undefined {
  const [top, sub] = where.split('.').map(Number);
  const step = top === undefined || Number.isNaN(top) ? undefined : scenario.steps[top];
  return sub === undefined || step?.do !== 'concurrent' ? step : step.steps[sub];
}

/** A difference's engine or QEMU value as printed: JSON, or "-" where that side has none. */
export function showValue(value: unknown): string {
  return value === undefined ? '-' : JSON.stringify(value);
}
