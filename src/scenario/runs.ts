/*
 * Run-length encoding of byte buffers, the form reads take in result documents: short to read,
 * exact to compare. Adjacent runs never share a byte value.
 */
import { runsOf } from '../block/knownRuns.js';
import { indexOfOther } from '../util/bytes.js';
import type { Runs } from './StepResult.js';

export function encodeRuns(bytes: Uint8Array): Runs {
  // A buffer whose runs are known (a store's read of a fill-pattern image) is not scanned (knownRuns.ts).
  const known = runsOf(bytes);
  if (known !== undefined) return known.map(([value, count]) => [value, count]);
  const runs: Runs = [];
  let i = 0;
  while (i < bytes.length) {
    const value = bytes[i]!;
    const j = indexOfOther(bytes, i + 1, bytes.length, value);
    runs.push([value, j - i]);
    i = j;
  }
  return runs;
}

export function decodeRuns(runs: Runs): Uint8Array {
  let total = 0;
  for (const [, count] of runs) total += count;
  const out = new Uint8Array(total);
  let at = 0;
  for (const [value, count] of runs) {
    out.fill(value, at, at + count);
    at += count;
  }
  return out;
}
