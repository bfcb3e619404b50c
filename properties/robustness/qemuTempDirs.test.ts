/*
 * colosim's QEMU temp directories: a TMPDIR too long for a unix socket path (108 bytes) still runs,
 * with the sockets under /tmp, and leaves nothing in either place; the directories a dead colosim
 * left (colosim-qemu-<pid>-*, a pid that no longer runs) are swept when the next one starts QEMU,
 * while those of a live process and anything not colosim's stay.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { QEMU_SUITE_NOTE, RUN_QEMU_TESTS } from '../../src/qemu/qemuTestSupport.js';
import { SOCKET_PATH_MAX_BYTES } from '../../src/qemu/TempDirs.js';
import { colosim, entries, privateDir } from './qemuHarness.js';

const SCENARIO = fileURLToPath(new URL('../scenarios/gaps/double-start.json', import.meta.url));
const RUNNING_OR_DONE = 'Block replication is running or done';

describe.runIf(RUN_QEMU_TESTS)(`QEMU temp directories${QEMU_SUITE_NOTE}`, () => {
  const root = privateDir('dirs');
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('runs under a TMPDIR too long for a socket path, leaving nothing there or in /tmp', async () => {
    const tmp = join(root, 'a-temp-directory-whose-path-is-much-longer-than-a-unix-socket-path-may-be'.repeat(2));
    mkdirSync(tmp);
    expect(Buffer.byteLength(join(tmp, 'colosim-qemu-1234567-primary-XXXXXX', 'qmp.sock'))).toBeGreaterThan(SOCKET_PATH_MAX_BYTES);
    let pid = 0;
    const r = await colosim(['run', SCENARIO, '--backend', 'qemu', '--json'], { env: { ...process.env, TMPDIR: tmp }, onStart: (p) => (pid = p) });
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.out) as { backend: string; steps: { ok: boolean; error?: string }[] };
    expect(doc.steps.slice(0, 3).map((s) => [s.ok, s.error])).toEqual([
      [true, undefined],
      [false, RUNNING_OR_DONE],
      [false, RUNNING_OR_DONE],
    ]);
    expect(entries(tmp)).toEqual([]);
    expect(readdirSync('/tmp').filter((e) => e.startsWith(`colosim-qemu-${pid}-`))).toEqual([]);
  });

  it("sweeps a dead colosim's directories when the next one starts QEMU, and only those", async () => {
    const tmp = join(root, 'sweep');
    mkdirSync(tmp);
    const dead = spawnSync('true').pid; // it has exited: its pid runs nothing (until reused)
    const stale = join(tmp, `colosim-qemu-${dead}-run-AbCdEf`);
    const live = join(tmp, `colosim-qemu-${process.pid}-run-GhIjKl`);
    const other = join(tmp, 'colosim-qemu-notapid-x');
    for (const dir of [stale, live, other]) {
      mkdirSync(dir);
      writeFileSync(join(dir, 'primary-disk.raw'), 'x');
    }
    const r = await colosim(['run', SCENARIO, '--backend', 'qemu'], { env: { ...process.env, TMPDIR: tmp } });
    expect(r.code).toBe(0);
    expect([existsSync(stale), existsSync(live), existsSync(other)]).toEqual([false, true, true]);
    expect(entries(tmp)).toEqual([`colosim-qemu-${process.pid}-run-GhIjKl`, 'colosim-qemu-notapid-x']);
  });
});
