/*
 * run.json as the report reads it back: the fields the page shows, checked for type so a malformed
 * or foreign file ends with one line naming the field (ReportInputError), never a half-drawn page.
 * Fields newer than some run.json files (growth, dataCheck, generator) may be absent and are then
 * shown as such; everything the campaign always wrote is required.
 */
import type { CampaignSummary } from '../fuzz/CampaignSummary.js';

export class ReportInputError extends Error {
  readonly code = 'BAD_REPORT_INPUT';
}

export type Check = (value: unknown) => boolean;
/** A field's name, its check, and what it must be (for the error line). */
export type FieldCheck = readonly [string, Check, string];
export const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
export const isCount: Check = (v) => Number.isSafeInteger(v) && (v as number) >= 0;
export const isNumber: Check = (v) => typeof v === 'number' && Number.isFinite(v);
export const isCounts: Check = (v) => isObject(v) && Object.values(v as object).every(isCount);

const REQUIRED: readonly FieldCheck[] = [
  ['seed', isCount, 'an integer >= 0'],
  ['options', isObject, 'an object'],
  ['runsRequested', isCount, 'an integer >= 0'],
  ['cases', isCount, 'an integer >= 0'],
  ['steps', isCount, 'an integer >= 0'],
  ['wallMs', isNumber, 'a number'],
  ['invariants', (v) => isObject(v) && Object.values(v as object).every((c) => isObject(c) && isCount(c.checks) && isCount(c.violations)), 'an object of {checks, violations}'],
  ['faults', isCounts, 'an object of counts'],
  ['states', isCounts, 'an object of counts'],
  ['transitions', isCounts, 'an object of counts'],
];

const OPTIONAL: readonly FieldCheck[] = [
  ['generator', (v) => isObject(v) && Object.values(v as object).every(isCounts), 'an object of count tables'],
  ['dataCheck', (v) => isObject(v) && isCount(v.diskSteps) && isCount(v.checked) && isNumber(v.checkedFraction), 'an object {diskSteps, checked, checkedFraction, indeterminate}'],
  ['growth', (v) => Array.isArray(v) && v.every((g) => isObject(g) && isCount(g.cases) && isNumber(g.wallMs) && isCount(g.transitions)), 'a list of {cases, wallMs, states, transitions}'],
  ['counterexample', (v) => isObject(v) && typeof v.path === 'string' && typeof v.invariant === 'string' && isCount(v.step) && typeof v.message === 'string', 'an object {path, invariant, step, message, ...}'],
  ['interrupted', (v) => typeof v === 'boolean', 'true or false'],
  ['summaryHash', (v) => typeof v === 'string', 'a string'],
];

/** Each field present and passing its check, else one line naming the file and field; `writer` is the command that writes such a file. */
export function requireFields(doc: Record<string, unknown>, fields: readonly FieldCheck[], source: string, writer: string): void {
  for (const [field, check, what] of fields) {
    if (!(field in doc)) throw new ReportInputError(`${source}: missing field "${field}" (not a run.json ${writer} wrote?)`);
    if (!check(doc[field])) throw new ReportInputError(`${source}: ${field}: must be ${what}`);
  }
}

/** The summary a run.json holds, validated field by field (`source` names the file in errors). */
export function readRunDocument(raw: unknown, source: string): CampaignSummary {
  if (!isObject(raw)) throw new ReportInputError(`${source}: must be a JSON object (the run.json colosim fuzz writes)`);
  const doc = raw as Record<string, unknown>;
  requireFields(doc, REQUIRED, source, 'colosim fuzz');
  for (const [field, check, what] of OPTIONAL) {
    if (field in doc && !check(doc[field])) throw new ReportInputError(`${source}: ${field}: must be ${what}`);
  }
  const options = doc.options as Record<string, unknown>;
  for (const field of ['profile', 'faults'] as const) {
    if (typeof options[field] !== 'string') throw new ReportInputError(`${source}: options.${field}: must be a string`);
  }
  if (!isCount(options.steps)) throw new ReportInputError(`${source}: options.steps: must be an integer >= 0`);
  return {
    generator: { ops: {}, ioSizes: {}, faults: {}, concurrencyWidths: {}, disks: {}, diskSizes: {}, swarm: {} },
    dataCheck: { diskSteps: 0, checked: 0, checkedFraction: 1, indeterminate: {} },
    growth: [],
    simulatedTicks: 0,
    determinismChecks: 0,
    interrupted: false,
    summaryHash: '',
    ...(doc as object),
  } as unknown as CampaignSummary;
}
