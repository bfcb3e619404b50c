/*
 * The scenario library on QEMU 10.0 (issue 12 §2): Debian's 10.0.2 (bookworm-backports) and 10.0.13
 * (trixie), as scripts/install-qemu.sh installs them (default prefixes /opt/qemu-10.0 and
 * /opt/qemu-10.0.13; COLOSIM_QEMU10_DIRS, colon-separated bin folders, overrides), give exactly 7.2's
 * results: the engine's, except where a documented divergence lists the differences, and the
 * divergences that show hold for 10.0 too (their `qemu` range says so). The one 10.0.2 difference
 * colosim knows, the failover commit's start-up window, needs writes racing the commit, which the
 * library's sequential steps never issue (properties/commitStartupWindow.test.ts has it on the engine).
 * Without an installed 10.0 the suite is skipped with a notice.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { basename, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { diffResults } from '../src/check/diffResults.js';
import { QemuSession, runScenarioOnQemu } from '../src/qemu/QemuBackend.js';
import { findQemuTools } from '../src/qemu/QemuTools.js';
import { DIVERGENCES, matchesDivergence } from '../src/qemu/divergences.js';
import { parseScenario } from '../src/scenario/parseScenario.js';
import { runScenarioOnEngine } from '../src/scenario/runScenarioOnEngine.js';
import { loadScenarioFolder } from './scenarioFiles.js';

const DIRS = (process.env.COLOSIM_QEMU10_DIRS ?? '/opt/qemu-10.0/bin:/opt/qemu-10.0.13/bin').split(':').filter((d) => d !== '');
const INSTALLED = DIRS.filter((d) => existsSync(join(d, 'qemu-system-x86_64')));
if (INSTALLED.length === 0) console.warn(`colosim: QEMU 10.0 tests SKIPPED: no qemu-system-x86_64 in ${DIRS.join(', ')} (scripts/install-qemu.sh 10.0 installs it)`);

/** "10.0.2" from `QEMU emulator version 10.0.2 (Debian ...)`. */
function versionOf(dir: string): string {
  const out = spawnSync(join(dir, 'qemu-system-x86_64'), ['--version'], { encoding: 'utf8', timeout: 30_000 }).stdout;
  return /QEMU emulator version (\d+\.\d+\.\d+)/.exec(out)?.[1] ?? `unknown (${out.split('\n')[0]})`;
}

const LIBRARY = ['peer', 'gaps'].flatMap((folder) => loadScenarioFolder(folder).map(({ path, scenario }) => ({ file: `${folder}/${basename(path)}`, scenario })));

for (const dir of INSTALLED) {
  const version = versionOf(dir);
  describe(`scenario library on QEMU ${version} (${dir})`, () => {
    const session = new QemuSession(findQemuTools(dir));
    afterAll(async () => {
      await session.close();
    });

    it('is a 10.0 build', () => {
      expect(version).toMatch(/^10\.0\.\d+$/);
    });

    const reproducers = DIVERGENCES.filter((d) => d.reproducer !== undefined).map((d) => ({ file: `divergence ${d.id}`, scenario: parseScenario(d.reproducer), divergence: d }));
    for (const { file, scenario, divergence } of [...LIBRARY.map((l) => ({ ...l, divergence: DIVERGENCES.find((d) => d.scenario === l.file) })), ...reproducers]) {
      it(`${file} gives the engine's results, as on 7.2`, { timeout: 120_000 }, async () => {
        const { document: engine } = await runScenarioOnEngine(scenario);
        const qemu = await runScenarioOnQemu(scenario, { session });
        const { differences } = diffResults(engine, qemu);
        if (divergence === undefined) expect(differences).toEqual([]);
        else {
          expect(matchesDivergence(divergence, differences), `divergence ${divergence.id}`).toEqual([]);
          expect(divergence.qemu.split(', '), `${divergence.id} is documented for ${version}`).toContain(version);
        }
      });
    }
  });
}
