/*
 * The QEMU-facing commands as a user runs them: `run --backend qemu`, `diff`, `fuzz --backend qemu`,
 * and exit 3 naming the Debian packages when QEMU is not on PATH (that one runs everywhere).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { QEMU_SUITE_NOTE, RUN_QEMU_TESTS } from '../qemu/qemuTestSupport.js';

const BIN = fileURLToPath(new URL('./colosim.js', import.meta.url));
const DOUBLE_START = fileURLToPath(new URL('../../properties/scenarios/gaps/double-start.json', import.meta.url));

function colosim(args: readonly string[], env: NodeJS.ProcessEnv = process.env) {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', timeout: 180_000, env });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

describe('QEMU commands without QEMU', () => {
  it.each([
    ['run', DOUBLE_START, '--backend', 'qemu'],
    ['diff', DOUBLE_START],
    ['fuzz', '--backend', 'qemu', '--runs', '1'],
  ])('%s exits 3 naming the Debian packages', (...args) => {
    const r = colosim(args, { ...process.env, PATH: '/nonexistent' });
    expect(r.code).toBe(3);
    expect(r.err).toContain('QEMU is not installed: qemu-system-x86_64, qemu-img, qemu-io not found on PATH; install the Debian packages qemu-system-x86 and qemu-utils');
    expect(r.out).toBe('');
  });
});

describe.runIf(RUN_QEMU_TESTS)(`QEMU commands${QEMU_SUITE_NOTE}`, () => {
  it('run --backend qemu prints the same error strings as the engine, backend "qemu"', { timeout: 180_000 }, () => {
    const r = colosim(['run', DOUBLE_START, '--backend', 'qemu', '--json']);
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.out) as { backend: string; steps: { ok: boolean; error?: string }[] };
    expect(doc.backend).toBe('qemu');
    expect(doc.steps.slice(0, 3).map((s) => [s.ok, s.error])).toEqual([
      [true, undefined],
      [false, 'Block replication is running or done'],
      [false, 'Block replication is running or done'],
    ]);
  });

  it('diff: a library file gives the same results on both (exit 0)', { timeout: 180_000 }, () => {
    const r = colosim(['diff', DOUBLE_START]);
    expect(r.code).toBe(0);
    expect(r.out).toContain('double-start.json: same (');
    expect(r.out).toContain('model: engine conforms)');
    expect(r.out).toMatch(/1 scenario\(s\), [1-9]\d* step\(s\) compared \(0 against the set every order admits\), 0 skipped, 0 difference\(s\), 0 model violation\(s\)/);
  });

  it('fuzz --backend qemu: generated scenarios compared on both, echoing a replayable command line', { timeout: 180_000 }, () => {
    const out = mkdtempSync(join(tmpdir(), 'colosim-fuzz-qemu-'));
    const r = colosim(['fuzz', '--backend', 'qemu', '--runs', '4', '--seed', '11', '--faults', 'none', '--out', out]);
    rmSync(out, { recursive: true, force: true });
    expect(r.code).toBe(0);
    expect(r.out).toContain('colosim fuzz --backend qemu --runs 4 --seed 11 --faults none\n');
    expect(r.out).toContain('4 scenario(s) generated, 4 run(s) with shrinking');
    expect(colosim(['fuzz', '--backend', 'qemu', '--profile', 'v24']).code).toBe(2);
  });
});
