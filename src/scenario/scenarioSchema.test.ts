/*
 * schema/scenario.schema.json is kept equal to the parser (parseScenario.ts) from both sides:
 * - fields: a valid instance of every object in the schema is parsed under a recording proxy, and
 *   the fields the parser reads are exactly the schema's properties;
 * - each property: the parser is asked with a wrong value, and its message states the same enum,
 *   integer range, non-empty string or boolean as the schema; a required field left out is refused,
 *   an optional one accepted;
 * - files: every library scenario and generated cases validate, and the bad-input corpus is refused
 *   by the schema too, except the rules that depend on other fields (listed below), the parser's alone.
 */
import { readFileSync, readdirSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FILES } from '../../properties/robustness/fixtures/badScenarios.js';
import { caseArbitrary } from '../api/arbitraries.js';
import { formatScenario } from '../api/scenarios.js';
import { type JsonSchema, validate } from '../util/miniJsonSchema.js';
import { JsonInputError, parseStrictJson } from '../util/strictJson.js';
import { ScenarioError, parseScenario } from './parseScenario.js';

const ROOT = new URL('../../', import.meta.url);
const SCHEMA = JSON.parse(readFileSync(new URL('schema/scenario.schema.json', ROOT), 'utf8')) as JsonSchema;
const DEFS = SCHEMA.$defs as Record<string, JsonSchema>;
type Json = Record<string, unknown>;

/** A valid value of `schema`: every property present, each at its smallest valid value. */
function sample(schema: JsonSchema): unknown {
  if (typeof schema.$ref === 'string') return sample(DEFS[schema.$ref.replace('#/$defs/', '')]!);
  if ('const' in schema) return schema.const;
  if (Array.isArray(schema.enum)) return schema.enum[0];
  if (Array.isArray(schema.oneOf)) return sample(schema.oneOf[0] as JsonSchema);
  switch (schema.type) {
    case 'integer':
      return Math.max(0, schema.minimum as number);
    case 'string':
      return 'x';
    case 'boolean':
      return false;
    case 'array':
      return Array.from({ length: (schema.minItems as number | undefined) ?? 0 }, () => sample(schema.items as JsonSchema));
    case 'object':
      return Object.fromEntries(Object.entries(schema.properties as Record<string, JsonSchema>).map(([k, v]) => [k, sample(v)]));
    default:
      throw new Error(`cannot sample ${JSON.stringify(schema)}`);
  }
}

/** Where each object of the schema sits in a scenario (8 disks, so every disk index and target exists). */
interface Site {
  readonly def: string;
  readonly path: string;
  readonly place: (value: Json) => Json;
}

const scenarioWith = (extra: Json): Json => ({ colosim: 1, name: 'schema', disks: 8, steps: [], ...extra });
const SITES: Site[] = [
  { def: '(root)', path: 'scenario', place: (v) => v },
  { def: 'disk', path: 'scenario.disk', place: (v) => scenarioWith({ disk: v }) },
  { def: 'origin', path: 'scenario.origin', place: (v) => scenarioWith({ origin: v }) },
  { def: 'engine', path: 'scenario.engine', place: (v) => scenarioWith({ engine: v }) },
  { def: 'timing', path: 'scenario.engine.timing', place: (v) => scenarioWith({ engine: { timing: v } }) },
  ...['fifo', 'random', 'replay'].map((p) => ({ def: `schedule-${p}`, path: 'scenario.engine.schedule', place: (v: Json) => scenarioWith({ engine: { schedule: v } }) })),
  ...Object.keys(DEFS)
    .filter((d) => d.startsWith('fault-'))
    .map((def) => ({ def, path: 'scenario.engine.faults[0]', place: (v: Json) => scenarioWith({ engine: { faults: [v] } }) })),
  ...Object.keys(DEFS)
    .filter((d) => d.startsWith('step-'))
    .map((def) => ({ def, path: 'steps[0]', place: (v: Json) => scenarioWith({ steps: [v] }) })),
  { def: 'expect', path: 'steps[0].expect', place: (v) => scenarioWith({ steps: [{ do: 'heal', expect: v }] }) },
];

const defOf = (site: Site): JsonSchema => (site.def === '(root)' ? SCHEMA : DEFS[site.def]!);
const propertiesOf = (site: Site) => defOf(site).properties as Record<string, JsonSchema>;
const resolveRef = (s: JsonSchema): JsonSchema => (typeof s.$ref === 'string' ? DEFS[s.$ref.replace('#/$defs/', '')]! : s);

/** The fields the parser reads of `target` (found by identity) while parsing `scenario`. */
function fieldsRead(scenario: Json, target: Json): string[] {
  const read = new Set<string>();
  const wrap = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(wrap);
    if (typeof value !== 'object' || value === null) return value;
    const copy = Object.fromEntries(Object.entries(value).map(([k, v]) => [k, wrap(v)]));
    if (value !== target) return copy;
    return new Proxy(copy, {
      get: (o, key) => {
        if (typeof key === 'string') read.add(key);
        return Reflect.get(o, key);
      },
    });
  };
  parseScenario(wrap(scenario));
  return [...read].sort();
}

/** The message the parser refuses `scenario` with. */
function refusal(scenario: Json): string {
  try {
    parseScenario(scenario);
  } catch (error) {
    if (error instanceof ScenarioError) return error.message;
    throw error;
  }
  return '(accepted)';
}

describe('the scenario schema and the parser', () => {
  it('covers every object of the schema with a site', () => {
    const objects = Object.entries(DEFS).filter(([, d]) => d.type === 'object').map(([name]) => name);
    expect(objects.sort()).toEqual(SITES.map((s) => s.def).filter((d) => d !== '(root)').sort());
  });

  it.each(SITES.map((s) => [s.def, s] as const))('%s: the parser reads exactly the schema\'s fields', (_, site) => {
    const value = sample(defOf(site)) as Json;
    expect(fieldsRead(site.place(value), value)).toEqual(Object.keys(propertiesOf(site)).sort());
  });

  it.each(SITES.map((s) => [s.def, s] as const))('%s: required fields are refused when missing, optional ones accepted', (_, site) => {
    const required = new Set(defOf(site).required as string[]);
    for (const key of Object.keys(propertiesOf(site))) {
      const { [key]: _dropped, ...rest } = sample(defOf(site)) as Json;
      const message = refusal(site.place(rest));
      if (required.has(key)) expect(message, key).toMatch(new RegExp(`^${escape(site.path)}\\.${key}: `));
      else expect(message, key).toBe('(accepted)');
    }
  });

  it.each(SITES.map((s) => [s.def, s] as const))('%s: each property takes the values the parser takes', (_, site) => {
    for (const [key, raw] of Object.entries(propertiesOf(site))) {
      const schema = resolveRef(raw);
      const probe = (value: unknown) => refusal(site.place({ ...(sample(defOf(site)) as Json), [key]: value }));
      const field = `${site.path}.${key}`;
      if (Array.isArray(schema.enum)) expect(enumStated(probe('\u00ac'), field), field).toEqual(schema.enum);
      else if (schema.type === 'integer') expectIntegerRange(schema, probe, field);
      else if (schema.type === 'string') expect(probe(''), field).toBe(`${field}: must be a non-empty string, got ""`);
      else if (schema.type === 'boolean') expect(probe('x'), field).toBe(`${field}: must be true or false, got "x"`);
      else if ('const' in schema && key !== 'do' && key !== 'kind' && key !== 'policy') expect(probe(2), field).toBe(`${field}: must be 1 (the format version), got 2`);
    }
  });

  it('every library scenario validates against the schema', () => {
    const files = ['properties/scenarios', 'models/scenarios'].flatMap((dir) =>
      (readdirSync(new URL(`${dir}/`, ROOT), { recursive: true }) as string[]).filter((f) => f.endsWith('.json')).map((f) => `${dir}/${f}`),
    );
    expect(files.length).toBeGreaterThan(300);
    const failures = files.map((f) => [f, validate(SCHEMA, parseStrictJson(readFileSync(new URL(f, ROOT), 'utf8')))]).filter(([, e]) => e !== undefined);
    expect(failures).toEqual([]);
  });

  it('generated cases, as their counterexample files are written, validate against the schema', () => {
    const cases = fc.sample(caseArbitrary({ maxDisks: 8 }), { seed: 5, numRuns: 200 });
    const failures = cases.map((s) => validate(SCHEMA, JSON.parse(formatScenario(s)))).filter((e) => e !== undefined);
    expect(failures).toEqual([]);
  });

  it('the bad-input corpus is refused by the schema too, but for the rules that depend on other fields', () => {
    const acceptedBySchema: string[] = [];
    for (const [name, c] of Object.entries(FILES)) {
      const value = jsonValue(c.file);
      if (value === undefined) continue;
      expect(refusal(value as Json), name).not.toBe('(accepted)');
      if (validate(SCHEMA, value) === undefined) acceptedBySchema.push(name);
    }
    expect(acceptedBySchema.sort()).toEqual([
      'close disk past disks',
      'io-error node of a second disk with one disk',
      'io-error node of disk 3 with 3 disks',
      'link-drop link of a missing disk',
      'read of 2^40 inside a 4 TiB disk',
      'write disk past disks',
      'write of 1 GiB inside a 4 GiB disk',
    ]);
  });
});

/** The parsed JSON value of a corpus file, or undefined when the JSON layer refuses it first (syntax, duplicate keys, depth). */
function jsonValue(file: unknown): unknown {
  if (Buffer.isBuffer(file)) return undefined;
  if (typeof file !== 'string') return file;
  try {
    return parseStrictJson(file);
  } catch (error) {
    if (error instanceof JsonInputError) return undefined;
    throw error;
  }
}

/** The values a "must be one of" (or fault target "expected one of") message lists. */
function enumStated(message: string, field: string): unknown[] {
  const choice = new RegExp(`^${escape(field)}: must be one of (.*), got "\u00ac"$`).exec(message);
  if (choice) return JSON.parse(`[${choice[1]}]`) as unknown[];
  const target = new RegExp(`^${escape(field)}: no [a-z-]+ target "\u00ac" with 8 disk\\(s\\); expected one of (.*)$`).exec(message);
  if (target) return target[1]!.split(', ');
  throw new Error(`${field}: no list of values in "${message}"`);
}

/** The parser's stated range ("from A to B", ">= A"), its upper limit and its multiple match the schema's. */
function expectIntegerRange(schema: JsonSchema, probe: (v: unknown) => string, field: string): void {
  const min = schema.minimum as number;
  const max = schema.maximum as number;
  const stated = /: must be an integer (?:from (-?\d+) to (\d+)|>= (-?\d+)), got 0.5$/.exec(probe(0.5));
  expect(stated, `${field}: ${probe(0.5)}`).not.toBeNull();
  expect(Number(stated![1] ?? stated![3]), field).toBe(min);
  const statedMax = stated![2] === undefined ? Number.MAX_SAFE_INTEGER : Number(stated![2]);
  if (statedMax === Number.MAX_SAFE_INTEGER && max < Number.MAX_SAFE_INTEGER) {
    expect(probe(max + ((schema.multipleOf as number | undefined) ?? 1)), field).toMatch(new RegExp(`^${escape(field)}: must be at most ${max} `));
  } else expect(statedMax, field).toBe(max);
  if (typeof schema.multipleOf === 'number') expect(probe(min + 1), field).toBe(`${field}: must be a multiple of ${schema.multipleOf}, got ${min + 1}`);
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
