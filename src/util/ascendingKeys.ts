/*
 * A map's number keys in ascending order, for the block layer's range hooks (SectorStore's
 * written chunks, an overlay's allocated clusters) that checkers and reports read after each step.
 */

/** Maps of at most this many keys are sorted by insertion (a fuzz case's store holds a handful of chunks). */
const INSERTION_KEYS_MAX = 32;

/**
 * A map's number keys in ascending order. A few keys are sorted by insertion as they are read (no
 * comparator called back, no second array: about a sixth of the time for a dozen keys); more are
 * sorted as numbers by Array.sort, as before.
 */
export function ascendingKeys(map: ReadonlyMap<number, unknown>): number[] {
  if (map.size > INSERTION_KEYS_MAX) return [...map.keys()].sort((a, b) => a - b);
  const keys: number[] = [];
  for (const k of map.keys()) {
    let j = keys.length;
    keys.push(k);
    while (j > 0 && keys[j - 1]! > k) {
      keys[j] = keys[j - 1]!;
      j--;
    }
    keys[j] = k;
  }
  return keys;
}
