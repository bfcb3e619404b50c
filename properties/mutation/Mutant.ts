/*
 * What an engine mutant is, and the two ways to make one: replace a (possibly private) method of an
 * engine class for the duration of a test, or flip one rule of the QEMU 7.2 profile. Mutants never
 * add switches to engine code: the engine under test is the shipped one with one piece swapped.
 */
import type { InvariantName } from '../../src/check/Invariant.js';
import { QEMU_7_2 } from '../../src/replication/Profile.js';

/** `engine-error` is the invariant another change adds for exceptions the engine did not model. */
export type ExpectedInvariant = InvariantName | 'engine-error';

export interface Mutant {
  readonly name: string;
  /** The QEMU commit, rule or reference section it breaks. */
  readonly breaks: string;
  /** Any of these invariants reported counts as a kill. */
  readonly expect: readonly ExpectedInvariant[];
  /**
   * Set when today's checker or generator cannot see the mutant, naming what is missing; the suite
   * then skips it and the bench still measures it.
   */
  readonly awaits?: string;
  /**
   * Cases the suite gives it, when the suite's default catches it too rarely; never more than the
   * default `colosim fuzz` budget (15,000).
   */
  readonly budgetCases?: number;
  /** Patch the engine; returns the undo. */
  readonly apply: () => () => void;
}

type AnyFn = (...args: unknown[]) => unknown;

/** Replace a method on a prototype; `replacement` receives the original. Returns the undo. */
export function patch(proto: object, method: string, replacement: (original: AnyFn) => AnyFn): () => void {
  const target = proto as Record<string, AnyFn>;
  const original = target[method];
  if (typeof original !== 'function') throw new Error(`mutant: ${proto.constructor.name}.${method} is not a method`);
  target[method] = replacement(original);
  return () => {
    target[method] = original;
  };
}

/** Flip one rule of the QEMU 7.2 profile. Returns the undo. */
export function setRule<K extends keyof typeof QEMU_7_2>(key: K, value: (typeof QEMU_7_2)[K]): () => void {
  const rules = QEMU_7_2 as { -readonly [P in keyof typeof QEMU_7_2]: (typeof QEMU_7_2)[P] };
  const old = rules[key];
  rules[key] = value;
  return () => {
    rules[key] = old;
  };
}

/** View an engine object through the private members a mutant needs (tests only). */
export function inside<T>(object: unknown): T {
  return object as T;
}
