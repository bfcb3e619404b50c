/*
 * Arbitraries built once per shape instead of once per use. A campaign case used to build its
 * generators afresh (a range arbitrary for every kind of write, read and discard, a fault plan for
 * its disks), and that took about as long as drawing the case. An arbitrary is an immutable
 * description of a draw: fast-check's generate reads the random stream and the arbitrary's
 * parameters, and the only state an instance holds (the depth counter of a oneof or an array) is
 * raised only while the instance draws its own children, which none of these contain again. So one
 * instance used in many places and many cases draws exactly what fresh instances would: the same
 * seed gives the same case. The cache is bounded; once full it starts over, which only costs time.
 */

/** Entries kept per memoized builder (a campaign's disk sizes and swarms repeat far less often). */
const LIMIT = 4096;

/** `build`, remembered by the key `keyOf` gives its arguments (the key must name everything `build` reads). */
export function memoizedArbitrary<A extends unknown[], T>(keyOf: (...args: A) => string, build: (...args: A) => T): (...args: A) => T {
  const cache = new Map<string, T>();
  return (...args: A): T => {
    const key = keyOf(...args);
    let built = cache.get(key);
    if (built === undefined) {
      if (cache.size >= LIMIT) cache.clear();
      built = build(...args);
      cache.set(key, built);
    }
    return built;
  };
}

/** A number naming each arbitrary instance (0: none), for keys of arbitraries composed of remembered ones. */
const ids = new WeakMap<object, number>();
let lastId = 0;

export function idOf(arbitrary: object | undefined): number {
  if (arbitrary === undefined) return 0;
  let id = ids.get(arbitrary);
  if (id === undefined) ids.set(arbitrary, (id = ++lastId));
  return id;
}
