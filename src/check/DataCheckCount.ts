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
  return withFraction(diskSteps, checked, Object.fromEntries(indeterminate));
}

/** Two counts summed (cases into a campaign). */
export function addDataCheck(a: DataCheckCount, b: DataCheckCount): DataCheckCount {
  const indeterminate = { ...a.indeterminate };
  for (const [reason, n] of Object.entries(b.indeterminate)) indeterminate[reason] = (indeterminate[reason] ?? 0) + n;
  return withFraction(a.diskSteps + b.diskSteps, a.checked + b.checked, indeterminate);
}

function withFraction(diskSteps: number, checked: number, indeterminate: Record<string, number>): DataCheckCount {
  const sorted = Object.fromEntries(Object.entries(indeterminate).sort(([x], [y]) => x.localeCompare(y)));
  return { diskSteps, checked, checkedFraction: diskSteps === 0 ? 1 : checked / diskSteps, indeterminate: sorted };
}
