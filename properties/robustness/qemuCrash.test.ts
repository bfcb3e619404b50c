/*
 * A QEMU killed from outside in the middle of `fuzz --backend qemu` (what the robustness issue did 11
 * times, and got 10 false, empty "differences"): the campaign ends with exit 3 and one line naming
 * the process, how it died and the step, plus the scenario written to a file to rerun; it is never
 * shrunk or reported as a difference. To land at a step rather than in the set-up (which is retried),
 * the test kills a secondary QEMU 20 ms after the primary's NBD socket appears (the primary is built
 * last), and keeps doing so, once a pair, until colosim exits. A QEMU that stops answering (SIGSTOP)
 * during `run --backend qemu` is exit 3 too, naming the step, the process and the wait that timed out,
 * and so is a secondary killed during `run --backend qemu` (naming the step; before, the run exited 0
 * with a CRASH result in its table) and during `diff FILE`, naming the file.
 */
import { existsSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { findQemuTools } from '../../src/qemu/QemuTools.js';
import { QEMU_SUITE_NOTE, RUN_QEMU_TESTS } from '../../src/qemu/qemuTestSupport.js';
import { colosim, entries, privateDir, processesNaming, waitUntil } from './qemuHarness.js';

const CRASH_AT_STEP = /^the secondary QEMU crashed \(killed by SIGKILL\) at step (\d+) \(([\w-]+)\), where the engine predicts no crash$/;

describe.runIf(RUN_QEMU_TESTS)(`a QEMU killed during fuzz --backend qemu${QEMU_SUITE_NOTE}`, () => {
  const tmp = privateDir('crash');
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  it('is exit 3 naming process, signal and step, with the scenario to rerun, not a difference', { timeout: 120_000 }, async () => {
    const killed = new Set<number>();
    const killer = setInterval(() => {
      const primaryReady = entries(tmp).some((e) => e.includes('-primary-') && existsSync(join(tmp, e, 'nbd.sock')));
      if (!primaryReady) return;
      for (const pid of processesNaming(`qemu-system-x86_64 .*${tmp}/colosim-qemu-[0-9]+-secondary-`)) {
        if (killed.has(pid)) continue;
        killed.add(pid);
        setTimeout(() => {
          try {
            process.kill(pid, 'SIGKILL');
          } catch {
            // it ended on its own meanwhile (its scenario was over)
          }
        }, 20);
      }
    }, 10);
    const r = await colosim(['fuzz', '--backend', 'qemu', '--runs', '2000', '--seed', '5', '--faults', 'none'], { env: { ...process.env, TMPDIR: tmp }, cwd: tmp });
    clearInterval(killer);
    expect(killed.size).toBeGreaterThan(0);
    expect(r.code).toBe(3);
    expect(r.out).not.toContain('difference found');
    const file = join('reports', 'differential', 'qemu-failure-seed-5.json');
    const line = 'colosim: no verdict: ';
    expect(r.err.startsWith(line)).toBe(true);
    const [message, rerun] = r.err.slice(line.length).split('; the scenario: ');
    expect(message).toMatch(CRASH_AT_STEP);
    expect(rerun).toBe(`${file} (rerun: npx colosim run --backend qemu ${file})\n`);
    const written = JSON.parse(readFileSync(join(tmp, file), 'utf8')) as { name: string; description: string; steps: { do: string }[] };
    const [, step, what] = CRASH_AT_STEP.exec(message!)!;
    expect(written.name).toBe('qemu-failure-seed-5');
    expect(written.description).toBe(`QEMU failed on this scenario in colosim diff --generate (seed 5): ${message}. Rerun: colosim run --backend qemu FILE`);
    expect(written.steps[Number(step)]?.do).toBe(what);
    expect(existsSync(join(tmp, 'reports', 'differential', 'differential-seed-5.json'))).toBe(false);
    await waitUntil(() => processesNaming(tmp).length === 0, 2000); // the watchdog ends just after colosim
    expect(processesNaming(tmp)).toEqual([]);
    expect(entries(tmp)).toEqual(['reports']);
  });
  /** A scenario of some seconds on QEMU: start, then 400 rounds of a primary write and a checkpoint. */
  function longScenario(dir: string): string {
    const round = [
      { do: 'write', vm: 'primary', offset: 0, length: 4096, pattern: 1 },
      { do: 'checkpoint', side: 'both' },
    ];
    const steps = [{ do: 'start', side: 'both' }, ...Array.from({ length: 400 }, () => round).flat()];
    const path = join(dir, 'long.json');
    writeFileSync(path, JSON.stringify({ colosim: 1, name: 'long', disk: { size: 1048576 }, steps }));
    return path;
  }

  /** Send `signal` to the first `side` QEMU under `dir`, 200 ms after the pair's set-up (the primary's NBD socket) began. */
  function signalWhenRunning(dir: string, side: 'primary' | 'secondary', signal: NodeJS.Signals): { readonly pid: () => number | undefined; readonly stop: () => void } {
    let target: number | undefined;
    const timer = setInterval(() => {
      if (target !== undefined || !entries(dir).some((e) => e.includes('-primary-') && existsSync(join(dir, e, 'nbd.sock')))) return;
      [target] = processesNaming(`qemu-system-x86_64 .*${dir}/colosim-qemu-[0-9]+-${side}-`);
      if (target !== undefined) setTimeout(() => process.kill(target!, signal), 200);
    }, 10);
    return { pid: () => target, stop: () => clearInterval(timer) };
  }

  async function expectNothingLeft(dir: string): Promise<void> {
    try {
      await waitUntil(() => processesNaming(dir).length === 0, 2000);
      expect(processesNaming(dir)).toEqual([]);
      expect(entries(dir)).toEqual(['long.json']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }

  it('a QEMU that stops answering during run --backend qemu is exit 3 naming process, step and timeout', { timeout: 120_000 }, async () => {
    const dir = privateDir('hang');
    const scenario = longScenario(dir);
    const stopper = signalWhenRunning(dir, 'primary', 'SIGSTOP');
    const r = await colosim(['run', scenario, '--backend', 'qemu'], { env: { ...process.env, TMPDIR: dir, COLOSIM_QEMU_TIMEOUT_MS: '1500' } });
    stopper.stop();
    expect(r.code).toBe(3);
    expect(r.out).toBe('');
    const hung = new RegExp(
      `^colosim: run: at step (\\d+) \\((write|checkpoint)\\): primary QEMU \\(pid ${stopper.pid()}\\) hung: (primary QEMU: no answer to QMP command 'xen-colo-do-checkpoint'|nbd \\S+/nbd\\.sock export "primary-vm": no reply to WRITE \\(offset 0, length 4096\\)) within 1500 ms; it was killed with SIGKILL\n$`,
    );
    expect(r.err).toMatch(hung);
    await expectNothingLeft(dir);
  });

  it('a QEMU killed during run --backend qemu is exit 3 naming step, side and signal, not a pass', { timeout: 120_000 }, async () => {
    const dir = privateDir('runkill');
    const scenario = longScenario(dir);
    const killer = signalWhenRunning(dir, 'secondary', 'SIGKILL');
    const r = await colosim(['run', scenario, '--backend', 'qemu'], { env: { ...process.env, TMPDIR: dir } });
    killer.stop();
    expect(r.code).toBe(3);
    expect(r.out).toBe('');
    expect(r.err).toMatch(/^colosim: run: at step \d+ \((write|checkpoint)\): the secondary QEMU crashed \(killed by SIGKILL\), which the scenario does not expect there\n$/);
    await expectNothingLeft(dir);
  });

  it("a crashed QEMU's last output is in the message (a wrapper prints a line, then runs the real QEMU)", { timeout: 120_000 }, async () => {
    const dir = privateDir('lastwords');
    const scenario = longScenario(dir);
    const bin = join(dir, 'bin');
    mkdirSync(bin);
    const real = findQemuTools();
    writeFileSync(join(bin, 'qemu-system-x86_64'), `#!/bin/sh\necho 'colosim-test: last words before QEMU' >&2\nexec ${real.system} "$@"\n`, { mode: 0o755 });
    symlinkSync(real.img, join(bin, 'qemu-img'));
    symlinkSync(real.io, join(bin, 'qemu-io'));
    const killer = signalWhenRunning(dir, 'secondary', 'SIGKILL');
    const r = await colosim(['run', scenario, '--backend', 'qemu', '--qemu', bin], { env: { ...process.env, TMPDIR: dir } });
    killer.stop();
    expect(r.code).toBe(3);
    expect(r.err).toMatch(
      /^colosim: run: at step \d+ \((write|checkpoint)\): the secondary QEMU crashed \(killed by SIGKILL, its last output: colosim-test: last words before QEMU\), which the scenario does not expect there\n$/,
    );
    rmSync(bin, { recursive: true, force: true });
    await expectNothingLeft(dir);
  });

  it('a QEMU killed during diff FILE is exit 3 naming the file, process, signal and step', { timeout: 120_000 }, async () => {
    const dir = privateDir('diffkill');
    const scenario = longScenario(dir);
    const killer = signalWhenRunning(dir, 'secondary', 'SIGKILL');
    const r = await colosim(['diff', scenario], { env: { ...process.env, TMPDIR: dir } });
    killer.stop();
    expect(r.code).toBe(3);
    expect(r.out).toBe('');
    expect(r.err).toMatch(
      new RegExp(`^colosim: diff: ${scenario}: the secondary QEMU crashed \\(killed by SIGKILL\\) at step \\d+ \\((write|checkpoint)\\), where the engine predicts no crash\n$`),
    );
    await expectNothingLeft(dir);
  });
});
