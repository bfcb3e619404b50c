/*
 * Case i of a campaign: its seed derives from the campaign seed and i alone, so any case can be
 * regenerated without running the ones before it, and adding a draw anywhere never shifts a case.
 */
import fc from 'fast-check';
import type { Scenario } from '../scenario/Scenario.js';
import { hash32 } from '../sim/hash.js';
import type { FuzzOptions } from './FuzzOptions.js';
import { type GeneratedCase, generatedCaseArbitrary, scenarioArbitrary } from './scenarioArbitrary.js';

export function caseSeed(campaignSeed: number, index: number): number {
  return hash32(`colosim-case:${campaignSeed}:${index}`) >>> 0;
}

export function generateCase(arbitrary: fc.Arbitrary<Scenario>, seed: number): Scenario {
  return fc.sample(arbitrary, { seed, numRuns: 1 })[0]!;
}

function caseName(options: FuzzOptions, campaignSeed: number, index: number): string {
  return `fuzz/${options.profile}/seed-${campaignSeed}/case-${index}`;
}

export function caseArbitrary(options: FuzzOptions, campaignSeed: number, index: number): fc.Arbitrary<Scenario> {
  return scenarioArbitrary(options, caseName(options, campaignSeed, index));
}

/** The same case as generateCase(caseArbitrary(...), seed) gives, with the swarm it was drawn under. */
export function generateDrawnCase(options: FuzzOptions, campaignSeed: number, index: number, seed: number): GeneratedCase {
  return fc.sample(generatedCaseArbitrary(options, caseName(options, campaignSeed, index)), { seed, numRuns: 1 })[0]!;
}
