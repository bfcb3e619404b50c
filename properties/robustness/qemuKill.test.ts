/*
 * SIGKILL of colosim in the middle of a QEMU run, which no handler of colosim's sees: its QEMU
 * processes die with it (setpriv's parent-death signal) and its temp directories, full-size images
 * included, are removed by its watchdog, so nothing is left: no process whose command line names the
 * run's private TMPDIR (QEMU, qemu-img, qemu-io, the watchdog) and no directory in it. Three kills at
 * different moments here (COLOSIM_KILL_TRIES=10 for the full measure), and once where setpriv is
 * missing, which leaves it to the watchdog.
 */
import { mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { findOnPath } from '../../src/qemu/findOnPath.js';
import { QEMU_SUITE_NOTE, RUN_QEMU_TESTS } from '../../src/qemu/qemuTestSupport.js';
import { colosim, entries, privateDir, processesNaming, waitUntil } from './qemuHarness.js';

const TRIES = Number(process.env.COLOSIM_KILL_TRIES ?? 3);
/** How long after the first QEMU appears each try kills (cycled): at once, mid-run, later. */
const DELAYS_MS = [0, 250, 700, 100, 400, 50, 900, 150, 550, 1200];
/** A run of several seconds: start, then writes each followed by a checkpoint, on a 4 MiB patterned disk. */
const STEPS = [
  { do: 'start', side: 'both' },
  ...Array.from({ length: 800 }, (_, i) => [
    { do: 'write', vm: 'primary', offset: (i % 64) * 65536, length: 65536, pattern: i % 256 },
    { do: 'checkpoint', side: 'both' },
  ]).flat(),
];

describe.runIf(RUN_QEMU_TESTS)(`SIGKILL of colosim during a QEMU run${QEMU_SUITE_NOTE}`, () => {
  const root = privateDir('kill');
  const scenario = join(root, 'long.json');
  writeFileSync(scenario, JSON.stringify({ colosim: 1, name: 'long', disk: { size: 4 * 1024 * 1024, pattern: 0x11 }, steps: STEPS }));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  /** One run killed `delayMs` after its first QEMU appeared; what it left. */
  async function killOnce(tag: string, delayMs: number, env: NodeJS.ProcessEnv): Promise<{ orphans: number; dirs: number; killedRunning: boolean }> {
    const tmp = join(root, tag);
    mkdirSync(tmp);
    let killedRunning = false;
    const r = await colosim(['run', scenario, '--backend', 'qemu'], {
      env: { ...env, TMPDIR: tmp },
      onStart: (pid) =>
        void waitUntil(() => processesNaming(`qemu-system-x86_64 .*${tmp}`).length > 0, 30_000).then(async (seen) => {
          await new Promise((resolve) => setTimeout(resolve, delayMs));
          killedRunning = seen;
          process.kill(pid, 'SIGKILL');
        }),
    });
    expect(r.signal).toBe('SIGKILL');
    await waitUntil(() => processesNaming(tmp).length === 0 && entries(tmp).length === 0, 5000);
    const left = { orphans: processesNaming(tmp).length, dirs: entries(tmp).length, killedRunning };
    for (const pid of processesNaming(tmp)) process.kill(pid, 'SIGKILL'); // a failing try must not leak into the next
    rmSync(tmp, { recursive: true, force: true });
    return left;
  }

  it(`leaves no QEMU orphan and no temp directory, ${TRIES} times`, { timeout: 60_000 + TRIES * 30_000 }, async () => {
    const left = [];
    for (let i = 0; i < TRIES; i++) left.push(await killOnce(`k${i}`, DELAYS_MS[i % DELAYS_MS.length]!, process.env));
    expect(left).toEqual(Array.from({ length: TRIES }, () => ({ orphans: 0, dirs: 0, killedRunning: true })));
  });

  it('leaves none without setpriv either: the watchdog kills the QEMUs', { timeout: 90_000 }, async () => {
    // A PATH with the QEMU binaries and nothing else, so spawnBound finds no setpriv.
    const bin = join(root, 'bin-without-setpriv');
    mkdirSync(bin);
    for (const tool of ['qemu-system-x86_64', 'qemu-img', 'qemu-io']) symlinkSync(findOnPath(tool)!, join(bin, tool));
    expect(findOnPath('setpriv', bin)).toBeUndefined();
    expect(await killOnce('nosetpriv', 300, { ...process.env, PATH: bin })).toEqual({ orphans: 0, dirs: 0, killedRunning: true });
  });
});
