/*
 * The campaign's summary hash as a fold that shards can be merged by: each case hashes alone
 * (index, trace hash, violation count), the case hashes are added lane by lane modulo 2^32 (so the
 * order cases finish in, the worker count and the shard split do not matter), and the summary hash
 * seals that sum with the seed, the options and the number of cases. Not cryptographic: the sum
 * only has to differ when any case differs, with overwhelming likelihood for honest inputs.
 */
import { RunningHash } from '../sim/hash.js';
import type { FuzzOptions } from './FuzzOptions.js';

/** The sum of case hashes so far, two 32-bit lanes written as 16 hex digits. */
export type CaseHashFold = string;

export const EMPTY_FOLD: CaseHashFold = '0000000000000000';

export function caseHash(index: number, traceHash: string, violations: number): string {
  return new RunningHash().addNumber(index).addString(traceHash).addNumber(violations).hex();
}

/** Two folds (or a fold and one case hash) added. */
export function addToFold(fold: CaseHashFold, hash: string): CaseHashFold {
  const hi = (lane(fold, 0) + lane(hash, 0)) >>> 0;
  const lo = (lane(fold, 8) + lane(hash, 8)) >>> 0;
  return hi.toString(16).padStart(8, '0') + lo.toString(16).padStart(8, '0');
}

function lane(text: string, at: number): number {
  return Number.parseInt(text.slice(at, at + 8), 16);
}

export function summaryHash(seed: number, options: FuzzOptions, cases: number, fold: CaseHashFold): string {
  return new RunningHash().addNumber(seed).addString(JSON.stringify(options)).addNumber(cases).addString(fold).hex();
}
