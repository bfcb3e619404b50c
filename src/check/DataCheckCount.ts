/*
 * How much of a run the data model checked. A disk-step is one replicated disk after one step,
 * while a side holding it lives (after both sides are gone nothing is left to read); it is checked
 * when its bytes were compared (or left untouched) against a model that still predicts them. Indeterminate counts, per reason, the disk-steps after which some range of the model admits
 * more than one value (a race, a failed write, undefined padding): checked, but less sharply.
 */

export interface DataCheckCount {
  readonly diskSteps: number;
  readonly checked: number;
  /** checked / diskSteps (1 when no disk-step ran). */
  readonly checkedFraction: number;
  readonly indeterminate: Readonly<Record<string, number>>;
}

export function emptyDataCheck(): DataCheckCount {
  return { diskSteps: 0, checked: 0, checkedFraction: 1, indeterminate: {} };
}

/** A count from a checker's running totals. */
export function dataCheckFrom(diskSteps: number, checked: number, indeterminate: ReadonlyMap<string, number>): DataCheckCount {
  if (indeterminate.size === 0) return counted(diskSteps, checked, {});
  return counted(diskSteps, checked, inLocaleOrder([...indeterminate.keys()], (key) => indeterminate.get(key)!));
}

/** Two counts summed (cases into a campaign). */
export function addDataCheck(a: DataCheckCount, b: DataCheckCount): DataCheckCount {
  const indeterminate = { ...a.indeterminate };
  let newReason = false;
  for (const reason in b.indeterminate) {
    const n = b.indeterminate[reason]!;
    if (indeterminate[reason] === undefined) newReason = true;
    indeterminate[reason] = (indeterminate[reason] ?? 0) + n;
  }
  // A campaign adds every case to its running sum: while no reason is new, the sum's keys are
  // already in order, and sorting them again (localeCompare) each case is what adding cost.
  if (!newReason && sortedCounts.has(a)) return counted(a.diskSteps + b.diskSteps, a.checked + b.checked, indeterminate);
  return withFraction(a.diskSteps + b.diskSteps, a.checked + b.checked, indeterminate);
}

/** Counts whose indeterminate reasons are known to be in withFraction's order (made by it, or from one that was). */
const sortedCounts = new WeakSet<DataCheckCount>();

function withFraction(diskSteps: number, checked: number, indeterminate: Record<string, number>): DataCheckCount {
  return counted(diskSteps, checked, inLocaleOrder(Object.keys(indeterminate), (key) => indeterminate[key]!));
}

/** The counts of `keys` as an object whose keys are in localeOrder. */
function inLocaleOrder(keys: readonly string[], countOf: (key: string) => number): Record<string, number> {
  const sorted: Record<string, number> = {};
  for (const key of localeOrder(keys)) sorted[key] = countOf(key);
  return sorted;
}

/** Distinct key lists remembered in localeOrder (a campaign meets a few dozen; past this the memo starts again). */
const ORDERS_MAX = 4096;
const orders = new Map<string, readonly string[]>();

/**
 * `keys` sorted by localeCompare, as withFraction always sorted them; the order of each list of keys
 * (in the order given, so a tie keeps the stable sort's order) is worked out once: every case of a
 * campaign brings one of a few such lists, and ICU's collation was most of what counting a case cost.
 */
export function localeOrder(keys: readonly string[]): readonly string[] {
  if (keys.length < 2) return keys;
  const id = keys.join('\n');
  let sorted = orders.get(id);
  if (sorted === undefined) {
    if (orders.size >= ORDERS_MAX) orders.clear();
    sorted = [...keys].sort((x, y) => x.localeCompare(y));
    orders.set(id, sorted);
  }
  return sorted;
}

function counted(diskSteps: number, checked: number, sortedIndeterminate: Record<string, number>): DataCheckCount {
  const count = { diskSteps, checked, checkedFraction: diskSteps === 0 ? 1 : checked / diskSteps, indeterminate: sortedIndeterminate };
  sortedCounts.add(count);
  return count;
}
