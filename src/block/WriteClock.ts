/*
 * A monotonic write clock for checkers, one per thread: every change to what a peek can return (a
 * store's write, zero or clear, an overlay's cluster map, a graph edge made, moved or dropped) takes
 * the next tick, and the store or graph remembers it (SectorStore.changedAt, BlockNode.peekStamp). A
 * checker that compared a range at tick t knows the engine's bytes there unchanged while every stamp
 * over the range is at most t, whoever made the change and wherever. A counter, not time
 * (deterministic); never reset, so the stamps of one case never alias a later case's.
 */

let clock = 0;
let graphChanged = 0;

/** The next tick: the stamp of a change being made now. */
export function nextTick(): number {
  return ++clock;
}

/** The tick of the latest change anywhere (a comparison made now saw every change up to it). */
export function currentTick(): number {
  return clock;
}

/** A graph edge was made, moved or dropped: every peek may now read other nodes. */
export function noteGraphChange(): void {
  graphChanged = ++clock;
}

/** The tick of the latest graph change. */
export function lastGraphChange(): number {
  return graphChanged;
}
