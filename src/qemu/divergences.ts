/*
 * Documented differences between the engine and real QEMU 7.2 that the differential harness
 * should accept: each entry names the scenario and step where they differ, what differs and why
 * (a QEMU quirk we do not model, an adapter limit, a timing effect). It starts empty: an entry is
 * added only after the difference was reproduced and explained, never to silence a failing run.
 */

export interface Divergence {
  /** Stable id, e.g. "nbd-enomedium-as-einval". */
  readonly id: string;
  /** The scenario (file or name) where the difference shows. */
  readonly scenario: string;
  /** The step index within that scenario (top level), if it is one step. */
  readonly step?: number;
  /** What differs, e.g. 'engine errno "ENOMEDIUM", QEMU errno "EINVAL"'. */
  readonly differs: string;
  /** Why, with the evidence (OBSERVATIONS.md section, QEMU source identifier, command). */
  readonly explanation: string;
}

export const DIVERGENCES: readonly Divergence[] = [];
