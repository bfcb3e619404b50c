/*
 * Where checks report: every check that ran is counted under its invariant, every failed one
 * becomes a Violation. One Reporter per case, shared by the checker's parts.
 */
import { type InvariantName, type Violation, violation } from './Invariant.js';

export class Reporter {
  readonly violations: Violation[] = [];
  readonly checks = new Map<InvariantName, number>();
  /** The top-level step being checked. */
  step = 0;

  /** Count one check of `invariant`; when `ok` is false, record the violation. */
  check(invariant: InvariantName, ok: boolean, message: () => string): boolean {
    this.checks.set(invariant, (this.checks.get(invariant) ?? 0) + 1);
    if (!ok) this.violations.push(violation(invariant, this.step, message()));
    return ok;
  }
}
