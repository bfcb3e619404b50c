/*
 * Choosing the QEMU (--qemu DIR): a directory without the binaries is exit 3 naming the path; the
 * version every result records is QEMU's own (query-version); diff with two --qemu compares each;
 * a QEMU whose start-up loses the QMP greeting is retried once and, failing again, is exit 3 and
 * never a difference (issue 12 §5). The flaky start-ups come from a stand-in qemu-system-x86_64
 * (a node script) that accepts the QMP connection and closes it before any greeting, on the
 * invocations it is told to, and otherwise runs the real binary.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { findQemuTools } from '../qemu/QemuTools.js';
import { QEMU_10_0_DIR, QEMU_10_SUITE_NOTE, QEMU_SUITE_NOTE, RUN_QEMU_10_TESTS, RUN_QEMU_TESTS } from '../qemu/qemuTestSupport.js';

const BIN = fileURLToPath(new URL('./colosim.js', import.meta.url));
const DOUBLE_START = fileURLToPath(new URL('../../properties/scenarios/gaps/double-start.json', import.meta.url));
const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

function colosim(args: readonly string[], env: NodeJS.ProcessEnv = process.env) {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', timeout: 180_000, env });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

describe('--qemu DIR without QEMU there', () => {
  it.each([
    ['run', DOUBLE_START, '--backend', 'qemu', '--qemu', '/nonexistent'],
    ['diff', DOUBLE_START, '--qemu', '/nonexistent'],
    ['fuzz', '--backend', 'qemu', '--runs', '1', '--qemu', '/nonexistent'],
    ['hunt', '--trials', '1', '--qemu', '/nonexistent'],
  ])('%s exits 3 naming the missing binary', (...args) => {
    const r = colosim(args);
    expect(r.code).toBe(3);
    expect(r.err).toMatch(/^colosim: (hunt: )?QEMU not found: \/nonexistent\/qemu-system-x86_64 is missing or not executable\n$/);
    expect(r.out).toBe('');
  });

  it('COLOSIM_QEMU_DIR is the default', () => {
    const r = colosim(['run', DOUBLE_START, '--backend', 'qemu'], { ...process.env, COLOSIM_QEMU_DIR: '/nonexistent' });
    expect(r.code).toBe(3);
    expect(r.err).toBe('colosim: QEMU not found: /nonexistent/qemu-system-x86_64 is missing or not executable\n');
  });
});

/** A directory whose qemu-system-x86_64 drops the QMP greeting on invocations 1..failFirst, then runs the real one. */
function flakyQemuDir(failFirst: number): string {
  const real = findQemuTools();
  const dir = mkdtempSync(join(tmpdir(), 'colosim-flaky-qemu-'));
  dirs.push(dir);
  const fake = join(dir, 'qemu-system-x86_64');
  writeFileSync(
    fake,
    `#!${process.execPath}
const fs = require('node:fs'), net = require('node:net'), { spawn } = require('node:child_process');
// Each invocation claims the next number with an exclusive create, so two QEMUs started at once
// (the pair of a scenario) never read the same count.
let n = 1;
for (;; n += 1) {
  try { fs.closeSync(fs.openSync(${JSON.stringify(join(dir, 'invocation-'))} + n, 'wx')); break; } catch (e) { if (e.code !== 'EEXIST') throw e; }
}
const args = process.argv.slice(2);
if (n > ${failFirst}) {
  const child = spawn(${JSON.stringify(real.system)}, args, { stdio: 'inherit' });
  for (const s of ['SIGTERM', 'SIGINT']) process.on(s, () => child.kill(s));
  child.on('exit', (code, signal) => process.exit(code ?? 1));
} else {
  const path = args[args.indexOf('-qmp') + 1].replace(/^unix:/, '').split(',')[0];
  net.createServer((socket) => socket.destroy()).listen(path);
}
`,
  );
  chmodSync(fake, 0o755);
  symlinkSync(real.img, join(dir, 'qemu-img'));
  symlinkSync(real.io, join(dir, 'qemu-io'));
  return dir;
}

describe.runIf(RUN_QEMU_TESTS)(`QEMU start-up failures in a campaign${QEMU_SUITE_NOTE}`, () => {
  it('a lost QMP greeting is retried once and the campaign goes on', { timeout: 180_000 }, () => {
    const qemuDir = flakyQemuDir(1);
    const r = colosim(['diff', '--generate', '3', '--seed', '5', '--qemu', qemuDir, '--out', join(qemuDir, 'campaign')]);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/QEMU 7\.2\.\d+: 3 scenario\(s\) generated, 3 run\(s\) with shrinking/);
  });

  it('a second lost greeting is a tool failure (exit 3), never a difference', { timeout: 180_000 }, () => {
    const r = colosim(['diff', '--generate', '3', '--seed', '5', '--qemu', flakyQemuDir(1000)]);
    expect(r.code).toBe(3);
    expect(r.out).not.toContain('difference found');
    expect(r.err).toMatch(/^colosim: no verdict: QEMU failed to start, twice: .*greeting.*\n$/);
  });
});

describe.runIf(RUN_QEMU_TESTS && RUN_QEMU_10_TESTS)(`diff on two QEMU builds${QEMU_SUITE_NOTE}${QEMU_10_SUITE_NOTE}`, () => {
  it('records each QEMU version and summarises each', { timeout: 180_000 }, () => {
    const system = findQemuTools().system.replace(/\/qemu-system-x86_64$/, '');
    const r = colosim(['diff', DOUBLE_START, '--qemu', system, '--qemu', QEMU_10_0_DIR, '--json']);
    const doc = JSON.parse(r.out) as { scenarios: { qemuVersion: string; differences: unknown[] }[]; summary: { qemuVersion: string; scenarios: number }[] };
    expect(doc.scenarios.map((s) => s.qemuVersion)).toEqual([expect.stringMatching(/^7\.2\.\d+$/), '10.0.2']);
    expect(doc.summary.map((s) => [s.qemuVersion.split('.')[0], s.scenarios])).toEqual([
      ['7', 1],
      ['10', 1],
    ]);
    expect(r.code).toBe(doc.scenarios.some((s) => s.differences.length > 0) ? 1 : 0);
  });
});
