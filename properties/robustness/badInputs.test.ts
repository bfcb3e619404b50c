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
import { FILES, base, write } from './fixtures/badScenarios.js';
import { runCli } from './inProcessCli.js';

const dir = mkdtempSync(join(tmpdir(), 'colosim-robust-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

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
    says: 'colosim: fuzz: --profile must be one of qemu-7.2, qemu-10.0.2, v24, got "v23" (usage: colosim fuzz [--seed N] [--runs N] [--steps N] [--faults none|tolerated|all] [--profile qemu-7.2|qemu-10.0.2|v24] [--out DIR] [--json] [--backend engine|qemu] [--workers N] [--shard K/N] [--time 90s|10m|2h] [--keep-going N] [--corpus DIR] [--case N] [--on-worker-death stop|continue] [--reporter junit|github [--reporter-out FILE]])',
  },
  'fuzz --backend unknown': { args: () => ['fuzz', '--backend', 'xen'], code: 2, says: 'fuzz: --backend must be one of engine, qemu, got "xen"' },
  'fuzz --out a file': { args: () => ['fuzz', '--runs', '1', '--out', good()], code: 2, says: `fuzz: --out ${join(dir, 'good.json')}: ${join(dir, 'good.json')} is not a directory` },
  'fuzz --out /dev/null': { args: () => ['fuzz', '--runs', '1', '--out', '/dev/null'], code: 2, says: 'fuzz: --out /dev/null: /dev/null is not a directory' },
  'fuzz --out under /dev/null': { args: () => ['fuzz', '--runs', '1', '--out', '/dev/null/x'], code: 2, says: 'fuzz: --out /dev/null/x: /dev/null is not a directory' },
  'fuzz --out under a file': { args: () => ['fuzz', '--runs', '1', '--out', join(good(), 'sub')], code: 2, says: 'is not a directory' },
  'fuzz --out /proc/x': { args: () => ['fuzz', '--runs', '1', '--out', '/proc/x'], code: 4, says: 'fuzz: --out /proc/x: cannot create /proc/x: ENOENT' },
  'fuzz --out /proc/self/x/y': { args: () => ['fuzz', '--runs', '1', '--out', '/proc/self/x/y'], code: 4, says: 'fuzz: --out /proc/self/x/y: cannot create' },
  'fuzz --out a read-only folder': { args: () => ['fuzz', '--runs', '1', '--out', '/proc/self'], code: 4, says: 'fuzz: --out /proc/self: cannot write into it' },
  'fuzz --qemu on the engine': { args: () => ['fuzz', '--runs', '1', '--qemu', '/opt/qemu-10.0'], code: 2, says: 'colosim: fuzz: --qemu needs --backend qemu (the engine campaign runs no QEMU)\n' },
  'fuzz --qemu and --serial-connections on the engine': {
    args: () => ['fuzz', '--runs', '1', '--qemu', '/opt/qemu-10.0', '--serial-connections'],
    code: 2,
    says: 'colosim: fuzz: --qemu and --serial-connections need --backend qemu (the engine campaign runs no QEMU)\n',
  },
  'run --qemu on the engine': { args: () => ['run', good(), '--qemu', '/opt/qemu-10.0'], code: 2, says: 'colosim: run: --qemu needs --backend qemu (the engine runs no QEMU)\n' },
  'fuzz --backend qemu with --profile': { args: () => ['fuzz', '--backend', 'qemu', '--profile', 'v24'], code: 2, says: 'fuzz: --backend qemu runs QEMU\'s own code; --profile v24 applies to the engine only' },
  'diff --generate --out /proc/x': { args: () => ['diff', '--generate', '1', '--seed', '1', '--out', '/proc/x'], code: 4, says: 'diff: --out /proc/x: cannot create /proc/x: ENOENT' },
  'diff --out without --generate': { args: () => ['diff', good(), '--out', '/tmp'], code: 2, says: 'diff: --out applies to --generate only' },
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
