/*
 * Coverage colouring. A coverage file is JSON with visit counts per chart state and transition:
 *   {
 *     "states":      { "node.RUNNING": 12, "pair.secondary.FAILOVER": 0 },
 *     "transitions": { "node.RUNNING --CHECKPOINT [isPrimary]--> node.RUNNING": 3 }
 *   }
 * or, as campaigns write coverage.json, the same counts grouped by chart, so two files merge by summing:
 *   { "node": { "states": {...}, "transitions": {...} }, "pair": {...}, "backup": {...}, "commit": {...} }
 * Keys are those of paths/chartTransitions.ts (state: `<machine>.<path>`; transition:
 * `<source> --<EVENT> [<guard>]--> <target>`, the guard part only when there is one); a missing key
 * means 0 visits. One file may hold several machines. Visited items are green, darker with more
 * visits (log scale), badge `xN`; never-visited ones are red, dashed (events underlined), badge
 * `x0!`; items no path can reach under the
 * chosen profile are grey and dotted ("n/a"), so they are not mistaken for gaps.
 */
import { MODEL_NAMES } from '../paths/modelCatalog.js';
import type { VisitCounts } from '../paths/replayPath.js';

export type { VisitCounts };

export interface VisitStyle {
  readonly color: string;
  readonly style: 'solid' | 'dashed' | 'dotted';
  readonly penwidth: number;
  /** Short ASCII text to append to a label: `x12`, `x0!`, `n/a`, or empty without coverage. */
  readonly badge: string;
  readonly visited: 'yes' | 'no' | 'unreachable' | 'unknown';
}

export const UNVISITED_COLOR = '#d62728';
export const UNREACHABLE_COLOR = '#9a9a9a';
const LIGHT_GREEN = [0xa1, 0xd9, 0x9b] as const;
const DARK_GREEN = [0x00, 0x6d, 0x2c] as const;

const PLAIN: VisitStyle = { color: 'black', style: 'solid', penwidth: 1, badge: '', visited: 'unknown' };

/**
 * The style of one item. `counts` undefined: no coverage given (plain, or grey when unreachable).
 * `max`: the largest count of the same kind in the chart (scales the greens).
 */
export function visitStyle(count: number | undefined, max: number, reachable: boolean, hasCoverage: boolean): VisitStyle {
  const visits = count ?? 0;
  /* A visit wins over the profile's reachability: the counts may come from a run of the other profile. */
  if (!reachable && visits === 0) return { color: UNREACHABLE_COLOR, style: 'dotted', penwidth: 1, badge: hasCoverage ? 'n/a' : '', visited: 'unreachable' };
  if (!hasCoverage) return PLAIN;
  if (visits === 0) return { color: UNVISITED_COLOR, style: 'dashed', penwidth: 2, badge: 'x0!', visited: 'no' };
  const t = max <= 1 ? 1 : Math.log1p(visits) / Math.log1p(max);
  const channel = (i: 0 | 1 | 2) => Math.round(LIGHT_GREEN[i] + (DARK_GREEN[i] - LIGHT_GREEN[i]) * t).toString(16).padStart(2, '0');
  return { color: `#${channel(0)}${channel(1)}${channel(2)}`, style: 'solid', penwidth: 1 + 2 * t, badge: `x${visits}`, visited: 'yes' };
}

export class CoverageFileError extends Error {
  readonly code = 'BAD_COVERAGE';
}

/** The chart a coverage key belongs to: its machine id, the text before the first dot. */
export const chartOfKey = (key: string): string => key.slice(0, Math.max(0, key.indexOf('.')));

/** Counts grouped by chart (the coverage.json campaigns write), charts in first-seen order. */
export function coverageByChart(counts: VisitCounts): Record<string, VisitCounts> {
  const out: Record<string, VisitCounts> = {};
  for (const field of ['states', 'transitions'] as const) {
    for (const [key, n] of Object.entries(counts[field])) {
      const chart = chartOfKey(key);
      out[chart] ??= { states: {}, transitions: {} };
      out[chart][field][key] = n;
    }
  }
  return out;
}

/** Two coverage counts summed (how campaigns' coverage files merge). */
export function sumCoverage(a: VisitCounts, b: VisitCounts): VisitCounts {
  const add = (x: Record<string, number>, y: Record<string, number>) => {
    const out = { ...x };
    for (const [key, n] of Object.entries(y)) out[key] = (out[key] ?? 0) + n;
    return out;
  };
  return { states: add(a.states, b.states), transitions: add(a.transitions, b.transitions) };
}

/** Validate a parsed coverage file, flat or grouped by chart: objects of non-negative integer counts. */
export function parseCoverage(raw: unknown, source = 'coverage'): VisitCounts {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) throw new CoverageFileError(`${source}: must be an object with "states" and "transitions"`);
  const fields = Object.keys(raw);
  if (fields.length > 0 && !fields.includes('states') && !fields.includes('transitions')) {
    const unknown = fields.find((f) => !(MODEL_NAMES as readonly string[]).includes(f));
    if (unknown !== undefined) throw new CoverageFileError(`${source}: unknown field "${unknown}" (expected "states" and "transitions", or counts by chart: ${MODEL_NAMES.join(', ')})`);
    return Object.entries(raw).reduce((sum, [chart, counts]) => sumCoverage(sum, parseFlatCoverage(counts, `${source}.${chart}`)), { states: {}, transitions: {} } as VisitCounts);
  }
  return parseFlatCoverage(raw, source);
}

function parseFlatCoverage(raw: unknown, source: string): VisitCounts {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) throw new CoverageFileError(`${source}: must be an object with "states" and "transitions"`);
  const counts: VisitCounts = { states: {}, transitions: {} };
  for (const [field, value] of Object.entries(raw)) {
    if (field !== 'states' && field !== 'transitions') throw new CoverageFileError(`${source}: unknown field "${field}" (expected "states" and "transitions")`);
    if (!value || typeof value !== 'object' || Array.isArray(value)) throw new CoverageFileError(`${source}.${field}: must be an object of visit counts`);
    for (const [key, visits] of Object.entries(value)) {
      if (!Number.isSafeInteger(visits) || (visits as number) < 0) throw new CoverageFileError(`${source}.${field}["${key}"]: must be an integer >= 0, got ${JSON.stringify(visits)}`);
      counts[field][key] = visits as number;
    }
  }
  return counts;
}
