/*
 * The scenario format is the public contract: these tests pin what a valid file parses to (every
 * default filled in) and the exact message for each kind of mistake. JSON syntax messages come from
 * V8 (Node 20) and are pinned as such.
 */
import { describe, expect, it } from 'vitest';
import { CHAIN_VARIANTS, DEFAULT_TIMING, STEP_KINDS } from './Scenario.js';
import { MAX_DISKS, ScenarioError, parseScenario, parseScenarioText } from './parseScenario.js';

const base = { colosim: 1, name: 't', steps: [] as unknown[] };

const messageOf = (raw: unknown): string => {
  try {
    parseScenario(raw);
  } catch (error) {
    expect(error).toBeInstanceOf(ScenarioError);
    expect((error as ScenarioError).code).toBe('BAD_SCENARIO');
    return (error as Error).message;
  }
  throw new Error('expected the scenario to be rejected');
};

const stepMessage = (step: unknown, extra: Record<string, unknown> = {}): string => messageOf({ ...base, ...extra, steps: [step] });

describe('parseScenario: valid files', () => {
  it('fills every default for a minimal file', () => {
    expect(parseScenario(base)).toEqual({
      colosim: 1,
      name: 't',
      disk: { size: 1048576, pattern: 0 },
      chain: 'standard',
      disks: 1,
      profile: 'qemu-7.2',
      engine: { seed: 0, schedule: { policy: 'fifo' }, timing: DEFAULT_TIMING, faults: [] },
      steps: [],
    });
  });

  it('reads every step kind, keeping only the fields that were given', () => {
    const scenario = parseScenario({
      colosim: 1,
      name: 'all steps',
      disk: { size: 2097152, pattern: 170 },
      disks: 2,
      profile: 'v24',
      engine: {
        seed: -5,
        schedule: { policy: 'replay', choices: [0, 2, 1] },
        timing: { diskLatencyTicks: 1000 },
        faults: [{ kind: 'io-error', node: 'hidden-disk', op: 'write' }],
      },
      steps: [
        { do: 'start', side: 'both' },
        { do: 'start', side: 'secondary', mode: 'primary', expect: { ok: false, error: 'x' } },
        { do: 'stop', side: 'primary' },
        { do: 'checkpoint', side: 'both' },
        { do: 'status', side: 'secondary', expect: { replicationError: false, desc: 'ok' } },
        { do: 'write', vm: 'primary', offset: 512, length: 1024, pattern: 7, disk: 1 },
        { do: 'read', vm: 'secondary', offset: 0, length: 4096, expect: { runs: [[0, 4096]] } },
        { do: 'write-zeroes', vm: 'primary', offset: 1, length: 100, unmap: true, disk: 1 },
        { do: 'discard', vm: 'secondary', offset: 0, length: 512, node: 'disk' },
        { do: 'flush', vm: 'secondary', disk: 1 },
        { do: 'failover', lost: 'secondary' },
        { do: 'wait', ticks: 5 },
        { do: 'close', side: 'secondary' },
        { do: 'concurrent', steps: [{ do: 'write', vm: 'primary', offset: 0, length: 512, pattern: 1, expect: { ok: true } }, { do: 'checkpoint', side: 'both' }] },
      ],
    });
    expect(scenario.disk).toEqual({ size: 2097152, pattern: 170 });
    expect(scenario.disks).toBe(2);
    expect(scenario.profile).toBe('v24');
    expect(scenario.engine).toEqual({
      seed: -5,
      schedule: { policy: 'replay', choices: [0, 2, 1] },
      timing: { ...DEFAULT_TIMING, diskLatencyTicks: 1000 },
      faults: [{ kind: 'io-error', node: 'hidden-disk', op: 'write', errno: 'EIO' }],
    });
    expect(scenario.steps).toEqual([
      { do: 'start', side: 'both' },
      { do: 'start', side: 'secondary', mode: 'primary', expect: { ok: false, error: 'x' } },
      { do: 'stop', side: 'primary', failover: false },
      { do: 'checkpoint', side: 'both' },
      { do: 'status', side: 'secondary', expect: { replicationError: false, desc: 'ok' } },
      { do: 'write', vm: 'primary', offset: 512, length: 1024, pattern: 7, disk: 1 },
      { do: 'read', vm: 'secondary', offset: 0, length: 4096, expect: { runs: [[0, 4096]] } },
      { do: 'write-zeroes', vm: 'primary', offset: 1, length: 100, unmap: true, disk: 1 },
      { do: 'discard', vm: 'secondary', offset: 0, length: 512, node: 'disk' },
      { do: 'flush', vm: 'secondary', disk: 1 },
      { do: 'failover', lost: 'secondary' },
      { do: 'wait', ticks: 5 },
      { do: 'close', side: 'secondary' },
      { do: 'concurrent', steps: [{ do: 'write', vm: 'primary', offset: 0, length: 512, pattern: 1, expect: { ok: true } }, { do: 'checkpoint', side: 'both' }] },
    ]);
    expect(Object.keys(scenario.steps[0]!)).toEqual(['do', 'side']);
  });

  it('reads the extensions: description, chain variant, I/O target, notes, lenient replay, expected code', () => {
    const scenario = parseScenario({
      ...base,
      description: 'why this scenario exists',
      chain: 'active-without-backing',
      engine: { schedule: { policy: 'replay', choices: [1], lenient: true } },
      steps: [
        { do: 'write', vm: 'secondary', offset: 0, length: 512, pattern: 1, node: 'disk', note: 'the forwarded write' },
        { do: 'read', vm: 'primary', offset: 0, length: 512, node: 'replication', expect: { ok: false, code: 'SIDE_LOST' } },
      ],
    });
    expect(scenario.description).toBe('why this scenario exists');
    expect(scenario.chain).toBe('active-without-backing');
    expect(scenario.engine.schedule).toEqual({ policy: 'replay', choices: [1], lenient: true });
    expect(scenario.steps).toEqual([
      { do: 'write', vm: 'secondary', offset: 0, length: 512, pattern: 1, node: 'disk', note: 'the forwarded write' },
      { do: 'read', vm: 'primary', offset: 0, length: 512, node: 'replication', expect: { ok: false, code: 'SIDE_LOST' } },
    ]);
    expect(parseScenario({ ...base, engine: { schedule: { policy: 'replay', choices: [] } } }).engine.schedule).toEqual({ policy: 'replay', choices: [] });
  });

  it('parses text the same as the object', () => {
    expect(parseScenarioText(JSON.stringify(base))).toEqual(parseScenario(base));
  });
});

describe('parseScenario: messages', () => {
  it('rejects invalid JSON, naming the source', () => {
    expect(() => parseScenarioText('{"colosim": 1,}', 'bad.json')).toThrow(
      new ScenarioError('bad.json: not valid JSON: Expected double-quoted property name in JSON at position 14'),
    );
    expect(() => parseScenarioText('')).toThrow('scenario: not valid JSON: Unexpected end of JSON input');
  });

  it('rejects a document that is not an object, or of another format version', () => {
    expect(messageOf([])).toBe('scenario: must be an object');
    expect(messageOf({ ...base, colosim: 2 })).toBe('scenario.colosim: must be 1 (the format version), got 2');
    expect(messageOf({ name: 't', steps: [] })).toBe('scenario.colosim: must be 1 (the format version), got nothing');
  });

  it('rejects a flush with a range and a discard without a length', () => {
    const base = { colosim: 1, name: 'x' };
    expect(() => parseScenario({ ...base, steps: [{ do: 'flush', vm: 'primary', offset: 0 }] })).toThrow('steps[0].offset: unknown field');
    expect(() => parseScenario({ ...base, steps: [{ do: 'discard', vm: 'primary', offset: 0 }] })).toThrow('steps[0].length');
  });

  it('rejects wrong types', () => {
    expect(messageOf({ ...base, name: 7 })).toBe('scenario.name: must be a non-empty string, got 7');
    expect(messageOf({ ...base, steps: {} })).toBe('scenario.steps: must be an array of steps, got {}');
    expect(messageOf({ ...base, disk: { size: '1M' } })).toBe('scenario.disk.size: must be an integer >= 512, got "1M"');
    expect(messageOf({ ...base, disk: [] })).toBe('scenario.disk: must be an object');
    expect(stepMessage({ do: 'write', vm: 'primary', offset: '0', length: 512, pattern: 1 })).toBe('steps[0].offset: must be an integer >= 0, got "0"');
    expect(stepMessage({ do: 'stop', side: 'primary', failover: 'yes' })).toBe('steps[0].failover: must be true or false, got "yes"');
    expect(stepMessage({ do: 'read', vm: 'primary', offset: 0, length: 1, expect: { ok: 1 } })).toBe('steps[0].expect.ok: must be true or false, got 1');
    expect(stepMessage('start')).toBe('steps[0]: must be an object');
  });

  it('rejects unknown fields, at every level', () => {
    expect(messageOf({ ...base, seed: 1 })).toBe('scenario.seed: unknown field');
    expect(messageOf({ ...base, disk: { size: 512, fill: 1 } })).toBe('scenario.disk.fill: unknown field');
    expect(messageOf({ ...base, engine: { seeds: 1 } })).toBe('scenario.engine.seeds: unknown field');
    expect(messageOf({ ...base, engine: { schedule: { policy: 'fifo', choices: [] } } })).toBe('scenario.engine.schedule.choices: unknown field');
    expect(messageOf({ ...base, engine: { timing: { latency: 1 } } })).toBe('scenario.engine.timing.latency: unknown field');
    expect(stepMessage({ do: 'checkpoint', side: 'both', vm: 'primary' })).toBe('steps[0].vm: unknown field');
    expect(stepMessage({ do: 'status', side: 'primary', expect: { status: 'ok' } })).toBe('steps[0].expect.status: unknown field');
  });

  it('rejects values outside an enumeration', () => {
    expect(messageOf({ ...base, profile: 'qemu-8' })).toBe('scenario.profile: must be one of "qemu-7.2", "qemu-10.0.2", "v24", got "qemu-8"');
    expect(messageOf({ ...base, chain: 'broken' })).toBe(`scenario.chain: must be one of ${CHAIN_VARIANTS.map((c) => JSON.stringify(c)).join(', ')}, got "broken"`);
    expect(CHAIN_VARIANTS[0]).toBe('standard');
    expect(stepMessage({ do: 'read', vm: 'primary', offset: 0, length: 1, node: 'quorum' })).toBe('steps[0].node: must be one of "vm", "replication", "disk", got "quorum"');
    // The list grows with the format; its form and its first entries do not change.
    expect(stepMessage({ do: 'reboot' })).toBe(`steps[0].do: must be one of ${STEP_KINDS.map((k) => JSON.stringify(k)).join(', ')}, got "reboot"`);
    expect(STEP_KINDS.slice(0, 4)).toEqual(['start', 'stop', 'checkpoint', 'status']);
    expect(stepMessage({ do: 'start', side: 'tertiary' })).toBe('steps[0].side: must be one of "primary", "secondary", "both", got "tertiary"');
    expect(stepMessage({ do: 'stop', side: 'both' })).toBe('steps[0].side: must be one of "primary", "secondary", got "both"');
    expect(stepMessage({ do: 'start', side: 'primary', mode: 'both' })).toBe('steps[0].mode: must be one of "primary", "secondary", got "both"');
    expect(messageOf({ ...base, engine: { schedule: { policy: 'chaos' } } })).toBe(
      'scenario.engine.schedule.policy: must be one of "fifo", "random", "replay", got "chaos"',
    );
  });

  it('rejects numbers out of range', () => {
    expect(messageOf({ ...base, disks: 0 })).toBe(`scenario.disks: must be an integer from 1 to ${MAX_DISKS}, got 0`);
    expect(messageOf({ ...base, disks: 9 })).toBe('scenario.disks: must be an integer from 1 to 8, got 9');
    expect(messageOf({ ...base, disk: { pattern: 256 } })).toBe('scenario.disk.pattern: must be an integer from 0 to 255, got 256');
    expect(messageOf({ ...base, disk: { size: 256 } })).toBe('scenario.disk.size: must be an integer >= 512, got 256');
    expect(messageOf({ ...base, engine: { seed: 2 ** 32 } })).toBe('scenario.engine.seed: must be an integer from -2147483648 to 4294967295, got 4294967296');
    expect(stepMessage({ do: 'write', vm: 'primary', offset: 0, length: 0, pattern: 1 })).toBe('steps[0].length: must be an integer >= 1, got 0');
    expect(stepMessage({ do: 'write', vm: 'primary', offset: 0, length: 1, pattern: -1 })).toBe('steps[0].pattern: must be an integer from 0 to 255, got -1');
    expect(stepMessage({ do: 'wait', ticks: 0.5 })).toBe('steps[0].ticks: must be an integer >= 0, got 0.5');
  });

  it('rejects a disk index past the number of disks', () => {
    expect(stepMessage({ do: 'read', vm: 'primary', offset: 0, length: 512, disk: 1 })).toBe('steps[0].disk: must be an integer from 0 to 0, got 1');
    expect(stepMessage({ do: 'write', vm: 'primary', offset: 0, length: 512, pattern: 1, disk: 2 }, { disks: 2 })).toBe(
      'steps[0].disk: must be an integer from 0 to 1, got 2',
    );
    expect(stepMessage({ do: 'close', side: 'secondary', disk: -1 }, { disks: 2 })).toBe('steps[0].disk: must be an integer from 0 to 1, got -1');
  });

  it('rejects sizes that are not a multiple of 512', () => {
    expect(messageOf({ ...base, disk: { size: 1000 } })).toBe('scenario.disk.size: must be a multiple of 512, got 1000');
    expect(messageOf({ ...base, engine: { timing: { commitChunkBytes: 1000 } } })).toBe(
      'scenario.engine.timing.commitChunkBytes: must be a multiple of 512, got 1000',
    );
  });

  it('checks replay choices, expected runs and concurrent steps', () => {
    expect(messageOf({ ...base, engine: { schedule: { policy: 'replay', choices: [1, -1] } } })).toBe(
      'scenario.engine.schedule.choices: must be an array of integers >= 0, got [1,-1]',
    );
    expect(messageOf({ ...base, engine: { schedule: { policy: 'replay' } } })).toBe('scenario.engine.schedule.choices: must be an array of integers >= 0, got nothing');
    expect(messageOf({ ...base, engine: { schedule: { policy: 'replay', choices: [], lenient: 'yes' } } })).toBe(
      'scenario.engine.schedule.lenient: must be true or false, got "yes"',
    );
    expect(messageOf({ ...base, engine: { schedule: { policy: 'random', lenient: true } } })).toBe('scenario.engine.schedule.lenient: unknown field');
    expect(stepMessage({ do: 'read', vm: 'primary', offset: 0, length: 1, expect: { runs: [[256, 1]] } })).toBe(
      'steps[0].expect.runs: must be an array of [byte, count] pairs, got [[256,1]]',
    );
    expect(stepMessage({ do: 'read', vm: 'primary', offset: 0, length: 1, expect: { runs: [[1, 0]] } })).toBe(
      'steps[0].expect.runs: must be an array of [byte, count] pairs, got [[1,0]]',
    );
    expect(stepMessage({ do: 'concurrent', steps: [] })).toBe('steps[0].steps: must be a non-empty array of steps, got []');
    expect(stepMessage({ do: 'concurrent', steps: [{ do: 'checkpoint', side: 'both' }, { do: 'wait', ticks: 1 }] })).toBe(
      'steps[0].steps: concurrent steps cannot contain "concurrent", "wait" or "heal"',
    );
    expect(stepMessage({ do: 'concurrent', steps: [{ do: 'heal' }] })).toBe('steps[0].steps: concurrent steps cannot contain "concurrent", "wait" or "heal"');
    expect(stepMessage({ do: 'heal', side: 'both' })).toBe('steps[0].side: unknown field');
    expect(parseScenario({ ...base, steps: [{ do: 'heal', note: 'faults stop here' }] }).steps).toEqual([{ do: 'heal', note: 'faults stop here' }]);
    expect(stepMessage({ do: 'concurrent', steps: [{ do: 'checkpoint', side: 'both' }, { do: 'read', vm: 'both', offset: 0, length: 1 }] })).toBe(
      'steps[0].steps[1].vm: must be one of "primary", "secondary", got "both"',
    );
  });

  it('reports fault plan mistakes as scenario errors, located in the scenario', () => {
    expect(messageOf({ ...base, engine: { faults: [{ kind: 'io-error', node: 'hidden', errno: 'EFOO' }] } })).toBe(
      'scenario.engine.faults[0].errno: must be one of "EPERM", "EIO", "ENOMEM", "EBUSY", "EINVAL", "ENOSPC", "ENOMEDIUM", "ENOTSUP", "ECONNRESET", "ENOTCONN", "ESHUTDOWN", "ECANCELED", got "EFOO"',
    );
    expect(messageOf({ ...base, engine: { faults: { kind: 'crash' } } })).toBe('scenario.engine.faults: must be an array of faults');
  });

  it('rejects a fault aimed at a name the pair does not have, listing the names it has', () => {
    expect(messageOf({ ...base, engine: { faults: [{ kind: 'io-error', node: 'hidden' }] } })).toBe(
      'scenario.engine.faults[0].node: no io-error target "hidden" with 1 disk(s); expected one of primary-disk, secondary-disk, hidden-disk, active-disk, link',
    );
    expect(messageOf({ ...base, disks: 2, engine: { faults: [{ kind: 'latency', node: 'active-disk.2', ticks: 5 }] } })).toBe(
      'scenario.engine.faults[0].node: no latency target "active-disk.2" with 2 disk(s); expected one of primary-disk, secondary-disk, hidden-disk, active-disk, link, primary-disk.1, secondary-disk.1, hidden-disk.1, active-disk.1, link.1',
    );
    expect(messageOf({ ...base, engine: { faults: [{ kind: 'link-drop', link: 'link.1' }] } })).toBe(
      'scenario.engine.faults[0].link: no link-drop target "link.1" with 1 disk(s); expected one of link',
    );
    expect(messageOf({ ...base, engine: { faults: [{ kind: 'crash', point: 'primary:before-write' }] } })).toBe(
      'scenario.engine.faults[0].point: no crash target "primary:before-write" with 1 disk(s); expected one of primary:before-forward, primary:after-local-write, secondary:before-cow, secondary:between-make-empty, secondary:during-commit',
    );
    expect(messageOf({ ...base, engine: { faults: [{ kind: 'job-fail', job: 'backup', node: 'replication-primary' }] } })).toBe(
      'scenario.engine.faults[0].node: no job-fail target "replication-primary" with 1 disk(s); expected one of replication-secondary',
    );
    expect(parseScenario({ ...base, disks: 3, engine: { faults: [{ kind: 'io-error', node: 'hidden-disk.2' }, { kind: 'link-drop', link: 'link.1' }] } }).engine.faults).toEqual([
      { kind: 'io-error', node: 'hidden-disk.2', op: 'any', errno: 'EIO' },
      { kind: 'link-drop', link: 'link.1' },
    ]);
  });

  it('rejects a concurrent step nested 10,000 deep at the first nesting, and a disk past 4 TiB', () => {
    let step: unknown = { do: 'status', side: 'primary' };
    for (let i = 0; i < 10_000; i++) step = { do: 'concurrent', steps: [step] };
    expect(stepMessage(step)).toBe('steps[0].steps: concurrent steps cannot contain "concurrent", "wait" or "heal"');
    expect(messageOf({ ...base, disk: { size: 2 ** 53 - 512 } })).toBe(
      'scenario.disk.size: must be at most 4398046511104 (4 TiB, the largest disk the engine takes), got 9007199254740480',
    );
    expect(parseScenario({ ...base, disk: { size: 2 ** 42 } }).disk.size).toBe(2 ** 42);
  });

  it('reads text with a byte-order mark; rejects duplicate keys and deep nesting, naming where', () => {
    expect(parseScenarioText(`\uFEFF${JSON.stringify(base)}`)).toEqual(parseScenario(base));
    expect(() => parseScenarioText('{"colosim": 1, "name": "a", "steps": [{"do": "status", "side": "primary", "side": "secondary"}]}', 'f.json')).toThrow(
      new ScenarioError('f.json: steps[0].side: duplicate key (JSON would keep only the last)'),
    );
    expect(() => parseScenarioText('{"colosim": 1, "name": "a", "name": "b", "steps": []}')).toThrow(
      new ScenarioError('scenario: name: duplicate key (JSON would keep only the last)'),
    );
    expect(() => parseScenarioText('{"disk": {"a b": 1, "a b": 2}}')).toThrow(new ScenarioError('scenario: disk["a b"]: duplicate key (JSON would keep only the last)'));
    // The same key in two objects, and a key-like string as a value, are fine.
    expect(parseScenarioText('{"colosim": 1, "name": "side", "steps": [{"do": "status", "side": "primary"}, {"do": "status", "side": "secondary", "note": "\\"side\\","}]}').steps).toHaveLength(2);
    expect(() => parseScenarioText(`${'['.repeat(65)}${']'.repeat(65)}`)).toThrow(new ScenarioError(`scenario: ${'[0]'.repeat(64)}: nested deeper than 64 levels`));
  });
});
