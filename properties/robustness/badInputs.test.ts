/*
 * The bad-input corpus: scenario files, fault plans and argument lists a new user or a CI job gets
 * wrong. Each must end with its documented exit code (2 input, 4 output not writable) and one
 * line on stderr naming the field or flag at fault, without a stack trace, and run nothing. The
 * corpus runs in-process through main(); cases that need a real process live in processExit.test.ts.
 */
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from './inProcessCli.js';

const dir = mkdtempSync(join(tmpdir(), 'colosim-robust-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const base = { colosim: 1, name: 'bad', steps: [{ do: 'start', side: 'both' }] };
const withStep = (step: unknown) => ({ ...base, steps: [step] });
const withFaults = (faults: unknown, extra: Record<string, unknown> = {}) => ({ ...base, ...extra, engine: { faults } });
const write = { do: 'write', vm: 'primary', offset: 0, length: 512, pattern: 1 };

interface FileCase {
  /** The file's content: an object (written as JSON) or raw text. */
  readonly file: unknown;
  /** What the one line must say (the field, with its path). */
  readonly says: string;
  /** The command to run on it (default run). */
  readonly command?: 'run' | 'replay' | 'diff' | 'run --check';
}

/** Scenario files that must be refused with exit 2. */
const FILES: Record<string, FileCase> = {
  'empty file': { file: '', says: 'not valid JSON: Unexpected end of JSON input' },
  'trailing comma': { file: '{"colosim": 1,}', says: 'not valid JSON' },
  'single quotes': { file: "{'colosim': 1}", says: 'not valid JSON' },
  'comment': { file: '// a scenario\n{"colosim": 1}', says: 'not valid JSON' },
  'truncated': { file: '{"colosim": 1, "name": "x", "steps": [', says: 'not valid JSON' },
  'NaN': { file: '{"colosim": NaN}', says: 'not valid JSON' },
  'BOM then garbage': { file: '\uFEFF{oops}', says: 'not valid JSON' },
  'UTF-16 text': { file: Buffer.from('{"colosim": 1}', 'utf16le'), says: 'not valid JSON' },
  'an array': { file: [], says: 'scenario: must be an object' },
  'a string': { file: '"scenario"', says: 'scenario: must be an object' },
  'null': { file: 'null', says: 'scenario: must be an object' },
  'a number': { file: '1', says: 'scenario: must be an object' },
  'no version': { file: { name: 'x', steps: [] }, says: 'scenario.colosim: must be 1' },
  'version 2': { file: { ...base, colosim: 2 }, says: 'scenario.colosim: must be 1' },
  'version as text': { file: { ...base, colosim: '1' }, says: 'scenario.colosim: must be 1' },
  'no name': { file: { colosim: 1, steps: [] }, says: 'scenario.name: must be a non-empty string' },
  'empty name': { file: { ...base, name: '' }, says: 'scenario.name: must be a non-empty string' },
  'no steps': { file: { colosim: 1, name: 'x' }, says: 'scenario.steps: must be an array of steps' },
  'steps an object': { file: { ...base, steps: {} }, says: 'scenario.steps: must be an array of steps' },
  'unknown top-level field': { file: { ...base, stpes: [] }, says: 'scenario.stpes: unknown field' },
  'duplicate top-level key': { file: '{"colosim": 1, "name": "a", "name": "b", "steps": []}', says: 'name: duplicate key' },
  'duplicate step key': { file: '{"colosim": 1, "name": "a", "steps": [{"do": "status", "side": "primary", "side": "secondary"}]}', says: 'steps[0].side: duplicate key' },
  'duplicate disk key': { file: '{"colosim": 1, "name": "a", "disk": {"size": 512, "size": 1024}, "steps": []}', says: 'disk.size: duplicate key' },
  'duplicate fault key': {
    file: '{"colosim": 1, "name": "a", "engine": {"faults": [{"kind": "crash", "point": "primary:before-forward", "point": "x"}]}, "steps": []}',
    says: 'engine.faults[0].point: duplicate key',
  },
  'nested 100 arrays': { file: `{"colosim": 1, "name": "a", "steps": ${'['.repeat(100)}${']'.repeat(100)}}`, says: 'nested deeper than 64 levels' },
  'concurrent nested 10,000 deep': { file: deepConcurrent(10_000), says: `${'steps[0]'.repeat(1)}${'.steps[0]'.repeat(31)}: nested deeper than 64 levels` },
  'concurrent nested 3 deep': { file: JSON.parse(deepConcurrent(3)), says: 'steps[0].steps: concurrent steps cannot contain "concurrent"' },
  'disk not an object': { file: { ...base, disk: 1048576 }, says: 'scenario.disk: must be an object' },
  'disk size as text': { file: { ...base, disk: { size: '1M' } }, says: 'scenario.disk.size: must be an integer' },
  'disk size 0': { file: { ...base, disk: { size: 0 } }, says: 'scenario.disk.size: must be an integer >= 512' },
  'disk size not sector aligned': { file: { ...base, disk: { size: 1000 } }, says: 'scenario.disk.size: must be a multiple of 512' },
  'disk size near 2^53': { file: { ...base, disk: { size: 2 ** 53 - 512 } }, says: 'scenario.disk.size: must be at most 4398046511104' },
  'disk size past 2^53': { file: { ...base, disk: { size: 2 ** 60 } }, says: 'scenario.disk.size: must be an integer' },
  'disk size fractional': { file: { ...base, disk: { size: 512.5 } }, says: 'scenario.disk.size: must be an integer' },
  'disk pattern 256': { file: { ...base, disk: { pattern: 256 } }, says: 'scenario.disk.pattern: must be an integer from 0 to 255' },
  'disk unknown field': { file: { ...base, disk: { sizeBytes: 512 } }, says: 'scenario.disk.sizeBytes: unknown field' },
  'disks 0': { file: { ...base, disks: 0 }, says: 'scenario.disks: must be an integer from 1 to 8' },
  'disks 9': { file: { ...base, disks: 9 }, says: 'scenario.disks: must be an integer from 1 to 8' },
  'unknown profile': { file: { ...base, profile: 'qemu-8.0' }, says: 'scenario.profile: must be one of' },
  'unknown chain': { file: { ...base, chain: 'broken' }, says: 'scenario.chain: must be one of' },
  'engine seed too big': { file: { ...base, engine: { seed: 2 ** 32 } }, says: 'scenario.engine.seed: must be an integer' },
  'engine unknown field': { file: { ...base, engine: { faults: [], seeds: 1 } }, says: 'scenario.engine.seeds: unknown field' },
  'unknown schedule policy': { file: { ...base, engine: { schedule: { policy: 'lifo' } } }, says: 'scenario.engine.schedule.policy: must be one of' },
  'replay choices negative': { file: { ...base, engine: { schedule: { policy: 'replay', choices: [0, -1] } } }, says: 'scenario.engine.schedule.choices: must be an array of integers >= 0' },
  'replay choices missing': { file: { ...base, engine: { schedule: { policy: 'replay' } } }, says: 'scenario.engine.schedule.choices: must be an array' },
  'timing chunk not aligned': { file: { ...base, engine: { timing: { commitChunkBytes: 1000 } } }, says: 'scenario.engine.timing.commitChunkBytes: must be a multiple of 512' },
  'timing negative latency': { file: { ...base, engine: { timing: { diskLatencyTicks: -1 } } }, says: 'scenario.engine.timing.diskLatencyTicks: must be an integer >= 0' },
  'origin incomplete': { file: { ...base, origin: { campaignSeed: 1 } }, says: 'scenario.origin.case: must be an integer' },
  'step not an object': { file: withStep('start'), says: 'steps[0]: must be an object' },
  'step without do': { file: withStep({ side: 'both' }), says: 'steps[0].do: must be one of' },
  'unknown step kind': { file: withStep({ do: 'reboot' }), says: 'steps[0].do: must be one of' },
  'start side missing': { file: withStep({ do: 'start' }), says: 'steps[0].side: must be one of' },
  'start side misspelt': { file: withStep({ do: 'start', side: 'primray' }), says: 'steps[0].side: must be one of' },
  'start mode both': { file: withStep({ do: 'start', side: 'primary', mode: 'both' }), says: 'steps[0].mode: must be one of' },
  'stop failover as text': { file: withStep({ do: 'stop', side: 'primary', failover: 'yes' }), says: 'steps[0].failover: must be true or false' },
  'stop side both': { file: withStep({ do: 'stop', side: 'both' }), says: 'steps[0].side: must be one of' },
  'status side both': { file: withStep({ do: 'status', side: 'both' }), says: 'steps[0].side: must be one of' },
  'write vm missing': { file: withStep({ ...write, vm: undefined }), says: 'steps[0].vm: must be one of' },
  'write offset negative': { file: withStep({ ...write, offset: -512 }), says: 'steps[0].offset: must be an integer >= 0' },
  'write offset as text': { file: withStep({ ...write, offset: '0' }), says: 'steps[0].offset: must be an integer' },
  'write length 0': { file: withStep({ ...write, length: 0 }), says: 'steps[0].length: must be an integer >= 1' },
  'write length past 2^53': { file: withStep({ ...write, length: 2 ** 54 }), says: 'steps[0].length: must be an integer >= 1' },
  'write of 1 GiB inside a 4 GiB disk': { file: { ...withStep({ ...write, length: 2 ** 30 }), disk: { size: 2 ** 32 } }, says: 'steps[0].length: must be at most 268435456 (256 MiB, the largest request the engine buffers), got 1073741824' },
  'read of 2^40 inside a 4 TiB disk': { file: { ...withStep({ do: 'read', vm: 'secondary', offset: 0, length: 2 ** 40 }), disk: { size: 2 ** 42 } }, says: 'steps[0].length: must be at most 268435456' },
  'write pattern 300': { file: withStep({ ...write, pattern: 300 }), says: 'steps[0].pattern: must be an integer from 0 to 255' },
  'write pattern missing': { file: withStep({ ...write, pattern: undefined }), says: 'steps[0].pattern: must be an integer' },
  'write disk past disks': { file: withStep({ ...write, disk: 1 }), says: 'steps[0].disk: must be an integer from 0 to 0' },
  'write node unknown': { file: withStep({ ...write, node: 'quorum' }), says: 'steps[0].node: must be one of "vm", "replication", "disk"' },
  'write unknown field': { file: withStep({ ...write, data: 'aa' }), says: 'steps[0].data: unknown field' },
  'read with pattern': { file: withStep({ do: 'read', vm: 'primary', offset: 0, length: 512, pattern: 1 }), says: 'steps[0].pattern: unknown field' },
  'read length missing': { file: withStep({ do: 'read', vm: 'primary', offset: 0 }), says: 'steps[0].length: must be an integer' },
  'failover lost both': { file: withStep({ do: 'failover', lost: 'both' }), says: 'steps[0].lost: must be one of' },
  'wait ticks negative': { file: withStep({ do: 'wait', ticks: -1 }), says: 'steps[0].ticks: must be an integer >= 0' },
  'heal with side': { file: withStep({ do: 'heal', side: 'both' }), says: 'steps[0].side: unknown field' },
  'close disk past disks': { file: { ...withStep({ do: 'close', side: 'primary', disk: 2 }), disks: 2 }, says: 'steps[0].disk: must be an integer from 0 to 1' },
  'concurrent empty': { file: withStep({ do: 'concurrent', steps: [] }), says: 'steps[0].steps: must be a non-empty array of steps' },
  'concurrent with wait': { file: withStep({ do: 'concurrent', steps: [{ do: 'wait', ticks: 1 }] }), says: 'steps[0].steps: concurrent steps cannot contain' },
  'concurrent inner bad': { file: withStep({ do: 'concurrent', steps: [{ do: 'status', side: 'primary' }, { ...write, vm: 'both' }] }), says: 'steps[0].steps[1].vm: must be one of' },
  'concurrent inner unknown field': { file: withStep({ do: 'concurrent', steps: [{ do: 'status', side: 'primary', sides: 'x' }] }), says: 'steps[0].steps[0].sides: unknown field' },
  'expect runs malformed': { file: withStep({ do: 'read', vm: 'primary', offset: 0, length: 1, expect: { runs: [[1, 0]] } }), says: 'steps[0].expect.runs: must be an array of [byte, count] pairs' },
  'expect ok as text': { file: withStep({ do: 'status', side: 'primary', expect: { ok: 'true' } }), says: 'steps[0].expect.ok: must be true or false' },
  'expect unknown field': { file: withStep({ do: 'status', side: 'primary', expect: { errorr: 'x' } }), says: 'steps[0].expect.errorr: unknown field' },
  'note empty': { file: withStep({ do: 'heal', note: '' }), says: 'steps[0].note: must be a non-empty string' },
  'second step bad': { file: { ...base, steps: [{ do: 'start', side: 'both' }, { do: 'checkpoint', side: 'tertiary' }] }, says: 'steps[1].side: must be one of' },
  // Fault plans.
  'faults not an array': { file: withFaults({ kind: 'crash' }), says: 'scenario.engine.faults: must be an array of faults' },
  'fault not an object': { file: withFaults(['crash']), says: 'scenario.engine.faults[0]: must be an object' },
  'fault kind unknown': { file: withFaults([{ kind: 'meteor' }]), says: 'scenario.engine.faults[0].kind: must be one of' },
  'io-error node missing': { file: withFaults([{ kind: 'io-error' }]), says: 'scenario.engine.faults[0].node: must be a non-empty string' },
  'io-error node unknown': { file: withFaults([{ kind: 'io-error', node: 'hidden' }]), says: 'scenario.engine.faults[0].node: no io-error target "hidden" with 1 disk(s); expected one of primary-disk, secondary-disk, hidden-disk, active-disk, link' },
  'io-error node of a second disk with one disk': { file: withFaults([{ kind: 'io-error', node: 'secondary-disk.1' }]), says: 'scenario.engine.faults[0].node: no io-error target "secondary-disk.1"' },
  'io-error node of disk 3 with 3 disks': { file: withFaults([{ kind: 'io-error', node: 'active-disk.3' }], { disks: 3 }), says: 'scenario.engine.faults[0].node: no io-error target "active-disk.3" with 3 disk(s)' },
  'io-error node quorum': { file: withFaults([{ kind: 'io-error', node: 'quorum' }]), says: 'scenario.engine.faults[0].node: no io-error target "quorum"' },
  'io-error errno unknown': { file: withFaults([{ kind: 'io-error', node: 'hidden-disk', errno: 'EFOO' }]), says: 'scenario.engine.faults[0].errno: must be one of' },
  'io-error op unknown': { file: withFaults([{ kind: 'io-error', node: 'hidden-disk', op: 'trim' }]), says: 'scenario.engine.faults[0].op: must be one of' },
  'io-error bytes 0': { file: withFaults([{ kind: 'io-error', node: 'hidden-disk', bytes: 0 }]), says: 'scenario.engine.faults[0].bytes: must be an integer >= 1' },
  'io-error times 0': { file: withFaults([{ kind: 'io-error', node: 'hidden-disk', times: 0 }]), says: 'scenario.engine.faults[0].times: must be an integer >= 1' },
  'io-error unknown field': { file: withFaults([{ kind: 'io-error', node: 'hidden-disk', after: 1 }]), says: 'scenario.engine.faults[0].after: unknown field' },
  'latency node unknown': { file: withFaults([{ kind: 'latency', node: 'disk', ticks: 5 }]), says: 'scenario.engine.faults[0].node: no latency target "disk"' },
  'latency ticks missing': { file: withFaults([{ kind: 'latency', node: 'link' }]), says: 'scenario.engine.faults[0].ticks: must be an integer' },
  'link-drop link unknown': { file: withFaults([{ kind: 'link-drop', link: 'nbd' }]), says: 'scenario.engine.faults[0].link: no link-drop target "nbd" with 1 disk(s); expected one of link' },
  'link-drop link of a missing disk': { file: withFaults([{ kind: 'link-drop', link: 'link.2' }], { disks: 2 }), says: 'scenario.engine.faults[0].link: no link-drop target "link.2" with 2 disk(s); expected one of link, link.1' },
  'link-drop on a disk node': { file: withFaults([{ kind: 'link-drop', link: 'primary-disk' }]), says: 'scenario.engine.faults[0].link: no link-drop target "primary-disk"' },
  'crash point unknown': { file: withFaults([{ kind: 'crash', point: 'secondary:failover' }]), says: 'scenario.engine.faults[0].point: no crash target "secondary:failover"' },
  'crash point without side': { file: withFaults([{ kind: 'crash', point: 'before-forward' }]), says: 'scenario.engine.faults[0].point: no crash target "before-forward"' },
  'crash afterHits negative': { file: withFaults([{ kind: 'crash', point: 'primary:before-forward', afterHits: -1 }]), says: 'scenario.engine.faults[0].afterHits: must be an integer >= 0' },
  'job-fail job unknown': { file: withFaults([{ kind: 'job-fail', job: 'mirror' }]), says: 'scenario.engine.faults[0].job: must be one of' },
  'job-fail node unknown': { file: withFaults([{ kind: 'job-fail', job: 'backup', node: 'replication-primary' }]), says: 'scenario.engine.faults[0].node: no job-fail target "replication-primary"' },
  'second fault bad': { file: withFaults([{ kind: 'crash', point: 'primary:before-forward' }, { kind: 'io-error', node: 'secondary' }]), says: 'scenario.engine.faults[1].node: no io-error target "secondary"' },
  // Other commands read files the same way.
  'replay of a malformed file': { file: withStep({ do: 'reboot' }), says: 'steps[0].do: must be one of', command: 'replay' },
  'run --check of a file with a bad fault': { file: withFaults([{ kind: 'crash', point: 'p' }]), says: 'scenario.engine.faults[0].point: no crash target "p"', command: 'run --check' },
  'diff of a malformed file (before QEMU starts)': { file: { ...base, disks: 9 }, says: 'scenario.disks: must be an integer from 1 to 8', command: 'diff' },
};

function deepConcurrent(depth: number): string {
  let step = '{"do": "status", "side": "primary"}';
  for (let i = 0; i < depth; i++) step = `{"do": "concurrent", "steps": [${step}]}`;
  return `{"colosim": 1, "name": "deep", "steps": [${step}]}`;
}

function fileFor(name: string, content: unknown): string {
  const path = join(dir, `${name.replace(/[^\w]+/g, '-')}.json`);
  writeFileSync(path, Buffer.isBuffer(content) ? content : typeof content === 'string' ? content : JSON.stringify(content));
  return path;
}

/** Stderr is exactly one line, "colosim: <path>: <message>", naming the file once. */
function expectOneLine(err: string, path: string, says: string): void {
  const lines = err.split('\n');
  expect(lines).toHaveLength(2);
  expect(lines[1]).toBe('');
  expect(lines[0]!.startsWith(`colosim: ${path}: `)).toBe(true);
  expect(lines[0]!.split(path)).toHaveLength(2);
  expect(lines[0]).toContain(says);
}

describe('bad scenario files: exit 2, one line naming the file once and the field', () => {
  it.each(Object.entries(FILES))('%s', async (name, c) => {
    const path = fileFor(name, c.file);
    const [command, ...flags] = (c.command ?? 'run').split(' ');
    const r = await runCli([command!, path, ...flags]);
    expect(r.code).toBe(2);
    expectOneLine(r.err, path, c.says);
    expect(r.out).toBe('');
  });
});

interface ArgCase {
  readonly args: (dir: string) => string[];
  readonly code: number;
  /** What stderr's first line must say (the flag or argument at fault). */
  readonly says: string;
}

const good = () => fileFor('good', base);

/** Argument lists that must be refused: exit 2 for usage, 4 for output that cannot be written. */
const ARGS: Record<string, ArgCase> = {
  'no command': { args: () => [], code: 2, says: 'Usage: colosim' },
  'unknown command': { args: () => ['fuz'], code: 2, says: "error: unknown command 'fuz'" },
  'unknown option': { args: () => ['run', good(), '--jsno'], code: 2, says: "error: unknown option '--jsno'" },
  'run without file': { args: () => ['run'], code: 2, says: "error: missing required argument 'file'" },
  'run on a missing file': { args: (d) => ['run', join(d, 'nope.json')], code: 2, says: `cannot read scenario file ${join(dir, 'nope.json')}: ENOENT` },
  'run on a directory': { args: (d) => ['run', d], code: 2, says: `cannot read scenario file ${dir}: EISDIR` },
  'run unknown backend': { args: () => ['run', good(), '--backend', 'kvm'], code: 2, says: 'run: unknown backend "kvm"' },
  'run unknown spec': { args: () => ['run', good(), '--check', '--spec', 'v25'], code: 2, says: 'run: unknown --spec "v25"' },
  'run --check on qemu': { args: () => ['run', good(), '--check', '--backend', 'qemu'], code: 2, says: 'run: --check, --inspect and --chart-trace need the engine backend' },
  'run --inspect on a full disk': { args: () => ['run', good(), '--inspect', '/dev/full'], code: 4, says: 'run: cannot write /dev/full: ENOSPC (no space left on device)' },
  'run --chart-trace into a missing folder': { args: (d) => ['run', good(), '--chart-trace', join(d, 'no', 'trace.json')], code: 4, says: `run: cannot write ${join(dir, 'no', 'trace.json')}: ENOENT` },
  'run --inspect missing value': { args: () => ['run', good(), '--inspect'], code: 2, says: "error: option '--inspect <file>' argument missing" },
  'replay without file': { args: () => ['replay'], code: 2, says: "error: missing required argument 'file'" },
  'replay on a missing file': { args: (d) => ['replay', join(d, 'gone.json')], code: 2, says: 'ENOENT' },
  'fuzz --seed negative': { args: () => ['fuzz', '--seed', '-1'], code: 2, says: 'fuzz: --seed must be an integer from 0 to 4294967295, got "-1"' },
  'fuzz --seed text': { args: () => ['fuzz', '--seed', 'abc'], code: 2, says: 'fuzz: --seed must be an integer' },
  'fuzz --seed past 32 bits': { args: () => ['fuzz', '--seed', '4294967296'], code: 2, says: 'fuzz: --seed must be an integer' },
  'fuzz --runs 0': { args: () => ['fuzz', '--runs', '0'], code: 2, says: 'fuzz: --runs must be an integer from 1' },
  'fuzz --runs float': { args: () => ['fuzz', '--runs', '1.5'], code: 2, says: 'fuzz: --runs must be an integer' },
  'fuzz --runs exponent': { args: () => ['fuzz', '--runs', '1e3'], code: 2, says: 'fuzz: --runs must be an integer' },
  'fuzz --runs huge': { args: () => ['fuzz', '--runs', '99999999999999999999'], code: 2, says: 'fuzz: --runs must be an integer' },
  'fuzz --steps 0': { args: () => ['fuzz', '--steps', '0'], code: 2, says: 'fuzz: --steps must be an integer from 1 to 10000' },
  'fuzz --steps empty': { args: () => ['fuzz', '--steps', ''], code: 2, says: 'fuzz: --steps must be an integer' },
  'fuzz --faults unknown': { args: () => ['fuzz', '--faults', 'some'], code: 2, says: 'fuzz: --faults must be one of none, tolerated, all, got "some"' },
  'fuzz --profile unknown': {
    args: () => ['fuzz', '--profile', 'v23'],
    code: 2,
    says: 'colosim: fuzz: --profile must be one of qemu-7.2, qemu-10.0.2, v24, got "v23" (usage: colosim fuzz [--seed N] [--runs N] [--steps N] [--faults none|tolerated|all] [--profile qemu-7.2|qemu-10.0.2|v24] [--out DIR] [--json] [--backend engine|qemu])',
  },
  'fuzz --backend unknown': { args: () => ['fuzz', '--backend', 'xen'], code: 2, says: 'fuzz: --backend must be one of engine, qemu, got "xen"' },
  'fuzz --out a file': { args: () => ['fuzz', '--runs', '1', '--out', good()], code: 2, says: `fuzz: --out ${join(dir, 'good.json')}: ${join(dir, 'good.json')} is not a directory` },
  'fuzz --out /dev/null': { args: () => ['fuzz', '--runs', '1', '--out', '/dev/null'], code: 2, says: 'fuzz: --out /dev/null: /dev/null is not a directory' },
  'fuzz --out under /dev/null': { args: () => ['fuzz', '--runs', '1', '--out', '/dev/null/x'], code: 2, says: 'fuzz: --out /dev/null/x: /dev/null is not a directory' },
  'fuzz --out under a file': { args: () => ['fuzz', '--runs', '1', '--out', join(good(), 'sub')], code: 2, says: 'is not a directory' },
  'fuzz --out /proc/x': { args: () => ['fuzz', '--runs', '1', '--out', '/proc/x'], code: 4, says: 'fuzz: --out /proc/x: cannot create /proc/x: ENOENT' },
  'fuzz --out /proc/self/x/y': { args: () => ['fuzz', '--runs', '1', '--out', '/proc/self/x/y'], code: 4, says: 'fuzz: --out /proc/self/x/y: cannot create' },
  'fuzz --out a read-only folder': { args: () => ['fuzz', '--runs', '1', '--out', '/proc/self'], code: 4, says: 'fuzz: --out /proc/self: cannot write into it' },
  'fuzz --backend qemu with --profile': { args: () => ['fuzz', '--backend', 'qemu', '--profile', 'v24'], code: 2, says: 'fuzz: --backend qemu runs QEMU\'s own code; --profile v24 applies to the engine only' },
  'fuzz --backend qemu with --out': { args: (d) => ['fuzz', '--backend', 'qemu', '--out', d], code: 2, says: 'fuzz: --backend qemu writes its counterexample under reports/differential/' },
  'chart unknown format': { args: () => ['chart', '--format', 'gif'], code: 2, says: 'chart: unknown format "gif"' },
  'chart unknown machine': { args: () => ['chart', '--machine', 'quorum'], code: 2, says: 'chart: unknown machine "quorum"' },
  'chart unknown profile': { args: () => ['chart', '--profile', 'v25'], code: 2, says: 'colosim: chart: unknown profile "v25" (expected qemu-7.2, qemu-10.0.2, v24)' },
  'chart --trace without html': { args: () => ['chart', '--trace', good()], code: 2, says: 'chart: --trace needs --format html' },
  'chart --coverage missing file': { args: (d) => ['chart', '--coverage', join(d, 'cov.json')], code: 2, says: `chart: cannot read the coverage file ${join(dir, 'cov.json')}: ENOENT (no such file or directory)` },
  'chart --coverage not JSON': { args: () => ['chart', '--coverage', fileFor('cov-bad', '{states')], code: 2, says: `chart: ${join(dir, 'cov-bad.json')}: not valid JSON` },
  'chart --coverage duplicate key': { args: () => ['chart', '--coverage', fileFor('cov-dup', '{"states": {}, "states": {}}')], code: 2, says: `chart: ${join(dir, 'cov-dup.json')}: states: duplicate key` },
  'chart --out on a full disk': { args: () => ['chart', '--out', '/dev/full'], code: 4, says: 'chart: cannot write /dev/full: ENOSPC (no space left on device)' },
  'diff without target': { args: () => ['diff'], code: 2, says: 'diff: missing scenario file or directory (or --generate N)' },
  'diff file and --generate': { args: () => ['diff', good(), '--generate', '3'], code: 2, says: 'diff: give a file/directory or --generate, not both' },
  'diff --generate 0': { args: () => ['diff', '--generate', '0'], code: 2, says: 'diff: --generate must be an integer from 1 to 1000000, got "0"' },
  'diff on a missing path': { args: (d) => ['diff', join(d, 'nothing')], code: 2, says: `diff: cannot read ${join(dir, 'nothing')}: ENOENT` },
  'diff on a folder without scenarios': { args: (d) => ['diff', emptyFolder(d)], code: 2, says: 'diff: no *.json scenario files under' },
};

function emptyFolder(d: string): string {
  const path = join(d, 'empty');
  mkdirSync(path, { recursive: true });
  return path;
}

describe('bad arguments: exit 2 (usage) or 4 (output), the flag named on the first line', () => {
  it.each(Object.entries(ARGS))('%s', async (_name, c) => {
    const r = await runCli(c.args(dir));
    expect(r.code).toBe(c.code);
    const lines = r.err.split('\n').filter((l) => l !== '');
    // Our own errors are one line; commander's add hint lines in parentheses; no command prints the help.
    const hints = lines.slice(1).every((l) => /^\(.*\)$/.test(l));
    expect((lines.length === 1 || hints) || lines[0] === 'Usage: colosim [options] [command]').toBe(true);
    expect(r.err).toContain(c.says);
    expect(r.err).not.toMatch(/^ {4}at /m);
  });
});

describe('runtime answers that once were internal errors', () => {
  it('a write of 2^40 bytes answers EINVAL like the read, without allocating it', async () => {
    const path = fileFor('write-2-40', {
      ...base,
      steps: [
        { do: 'start', side: 'both' },
        { do: 'write', vm: 'primary', offset: 0, length: 2 ** 40, pattern: 1, expect: { errno: 'EINVAL' } },
        { do: 'read', vm: 'primary', offset: 0, length: 2 ** 40, expect: { errno: 'EINVAL' } },
      ],
    });
    const r = await runCli(['run', path]);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toContain('  #1   write primary 0+1099511627776 = 0x01         EINVAL\n  #2   read primary 0+1099511627776                 EINVAL\n');
  });

  it('a replay schedule that no longer fits is reported as drift, exit 2, not as a liveness violation', async () => {
    const path = fileFor('drift', {
      ...base,
      engine: { schedule: { policy: 'replay', choices: [0, 7] } },
      steps: [{ do: 'start', side: 'both' }, { do: 'concurrent', steps: [write, { ...write, pattern: 2 }] }],
    });
    for (const command of ['replay', 'run']) {
      const r = await runCli([command, path]);
      expect(r.code).toBe(2);
      expectOneLine(r.err, path, 'replay drifted at step 1: schedule drift at decision 1: recorded choice 7 but only 3 entries are ready');
      expect(r.err).not.toContain('liveness');
      expect(r.out).toBe('');
    }
  });

  it('a file with a UTF-8 byte-order mark runs', async () => {
    const path = fileFor('bom', `\uFEFF${JSON.stringify({ ...base, steps: [{ do: 'status', side: 'primary', expect: { replicationError: true } }] })}`);
    const r = await runCli(['run', path]);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
  });

  it('the corpus holds at least 100 bad inputs', () => {
    expect(Object.keys(FILES).length + Object.keys(ARGS).length).toBeGreaterThanOrEqual(100);
  });
});
