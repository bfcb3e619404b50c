/*
 * A qemu-system-x86_64 that exits at once, hangs, or dies mid-QMP after its greeting, first on PATH:
 * `run --backend qemu`, `diff` and `fuzz --backend qemu` each end with exit 3 and one line naming the
 * process and how it ended (after one retry of the start-up), never exit 0 or a difference, and
 * leave no process and no temp directory behind. The fake needs no QEMU, but the commands need the
 * real qemu-img and qemu-io, so the suite runs where the QEMU tests do.
 */
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { QEMU_SUITE_NOTE, RUN_QEMU_TESTS } from '../../src/qemu/qemuTestSupport.js';
import { type FakeMode, colosim, entries, privateDir, processesNaming, waitUntil, writeFakeQemu } from './qemuHarness.js';

const SCENARIO = fileURLToPath(new URL('../scenarios/gaps/double-start.json', import.meta.url));
const TIMEOUT_MS = 1500;

const HOW: Record<FakeMode, string> = {
  exit: 'primary QEMU exited during start-up (exit code 1): fake qemu: cannot initialise',
  hang: `primary QEMU hung during start-up: no QMP greeting within ${TIMEOUT_MS} ms`,
  'die-after-greeting': "primary QEMU exited during start-up (killed by SIGKILL); QMP connection closed while waiting for 'qmp_capabilities' (the QMP socket closed)",
};

const COMMANDS = [
  { name: 'run', args: ['run', SCENARIO, '--backend', 'qemu'], prefix: 'colosim: run: ', out: () => '' },
  { name: 'diff', args: ['diff', SCENARIO], prefix: `colosim: diff: ${SCENARIO}: `, out: () => '' },
  {
    name: 'fuzz',
    args: ['fuzz', '--backend', 'qemu', '--runs', '5', '--seed', '3'],
    prefix: 'colosim: no verdict: ',
    out: () => 'colosim fuzz --backend qemu --runs 5 --seed 3 --faults all\n1 scenario(s) generated, 0 run(s) compared before QEMU failed\n',
  },
] as const;

describe.runIf(RUN_QEMU_TESTS)(`a failing QEMU first on PATH${QEMU_SUITE_NOTE}`, () => {
  const root = privateDir('fake');
  const bin = join(root, 'bin');
  mkdirSync(bin);
  writeFakeQemu(bin);
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  for (const mode of ['exit', 'hang', 'die-after-greeting'] as const) {
    for (const command of COMMANDS) {
      it(`${command.name}: a QEMU that ${mode === 'exit' ? 'exits at once' : mode === 'hang' ? 'hangs' : 'dies after the greeting'} is exit 3, named on one line`, async () => {
        const tmp = join(root, `${mode}-${command.name}`);
        mkdirSync(tmp);
        const env = { ...process.env, PATH: `${bin}:${process.env.PATH}`, TMPDIR: tmp, FAKE_QEMU_MODE: mode, COLOSIM_QEMU_TIMEOUT_MS: String(TIMEOUT_MS) };
        const r = await colosim(command.args, { env, cwd: tmp });
        expect(r.code).toBe(3);
        expect(r.err).toBe(`${command.prefix}QEMU failed to start, twice: ${HOW[mode]}\n`);
        expect(r.out).toBe(command.out());
        await waitUntil(() => processesNaming(tmp).length === 0, 2000); // the watchdog ends just after colosim
        expect(processesNaming(tmp)).toEqual([]);
        expect(entries(tmp)).toEqual([]);
      });
    }
  }
});
