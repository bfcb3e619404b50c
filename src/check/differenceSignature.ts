/*
 * What makes two differential differences "the same" for a campaign that keeps going: the first
 * step with an unexplained difference, named by its kind (its `do`, and the VM or side it acts on)
 * and its differing fields, with the values of the short fields (ok, code, errno) and not of the
 * data or messages (runs, error, desc, replicationError), which carry offsets and bytes that vary
 * with the scenario. Later steps are left out: they are mostly consequences of the first. Like
 * fuzz --keep-going's "invariant and first failing step kind", it is a heuristic: two causes can
 * share a signature, and one cause can show under two.
 */
import type { Scenario } from '../scenario/Scenario.js';
import { stepAt } from '../scenario/stepAt.js';
import type { Difference } from './diffResults.js';

const VALUED_FIELDS: ReadonlySet<string> = new Set(['ok', 'code', 'errno', 'aborted', '(step)']);

/** The signature of a scenario's unexplained differences (none: the empty string). */
export function differenceSignature(scenario: Scenario, differences: readonly Difference[]): string {
  const first = differences[0];
  if (first === undefined) return '';
  const atFirst = differences.filter((d) => d.step === first.step);
  const fields = atFirst.map((d) => (VALUED_FIELDS.has(d.field) ? `${d.field} ${show(d.engine)}/${show(d.qemu)}` : d.field));
  return `${stepKind(scenario, first.step)}: ${fields.join(', ')}`;
}

/** "write secondary", "start both", "concurrent.write primary", "run" for the whole run. */
function stepKind(scenario: Scenario, where: string): string {
  if (where === 'run') return 'run';
  const step = stepAt(scenario, where.split('.')[0]!);
  if (step === undefined) return `step ${where}`;
  const part = stepAt(scenario, where) ?? step;
  const who = 'vm' in part ? part.vm : 'side' in part ? part.side : 'lost' in part ? `lost ${part.lost}` : undefined;
  const node = 'node' in part && part.node !== undefined ? ` ${part.node}` : '';
  return `${part === step ? '' : 'concurrent.'}${part.do}${who === undefined ? '' : ` ${who}`}${node}`;
}

/** Values unquoted ("EIO", not stepAt.ts's JSON '"EIO"'): a signature is a label, not data. */
function show(value: unknown): string {
  return value === undefined ? '-' : String(value);
}
