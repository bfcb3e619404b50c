/*
 * QEMU crashes colosim's engine does not model, each a file under qemu-crashes/ with the exact
 * assertion QEMU prints, on every installed version (7.2 from PATH, 10.0.2 and 10.0.13 from
 * scripts/install-qemu.sh's prefixes). A crash that depends on timing is run again (up to three
 * times) before the test calls it gone; the engine runs the same file to its end with no crash,
 * which is the divergence (src/qemu/OBSERVATIONS.md). If a QEMU release fixes one, its test fails and says so.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { QemuSession, runScenarioOnQemu } from '../src/qemu/QemuBackend.js';
import { findQemuTools } from '../src/qemu/QemuTools.js';
import { QEMU_SUITE_NOTE, RUN_QEMU_TESTS } from '../src/qemu/qemuTestSupport.js';
import { readScenarioFile } from '../src/cli/readScenarioFile.js';
import type { StepResult } from '../src/scenario/StepResult.js';
import { runScenarioOnEngine } from '../src/scenario/runScenarioOnEngine.js';

const FILE = fileURLToPath(new URL('qemu-crashes/block-copy-conflict-after-checkpoint.json', import.meta.url));
const scenario = readScenarioFile(FILE);

const ASSERTION = "block_copy_task_create: Assertion `!reqlist_find_conflict(&s->reqs, offset, bytes)' failed.";
/** Where each version's build prints the assertion from. */
const VERSIONS = [
  { name: '7.2.22', dir: undefined, at: '../../block/block-copy.c:203' },
  { name: '10.0.2', dir: '/opt/qemu-10.0', at: 'block/block-copy.c:208' },
  { name: '10.0.13', dir: '/opt/qemu-10.0.13', at: 'block/block-copy.c:208' },
].filter((v) => v.dir === undefined || existsSync(`${v.dir}/bin/qemu-system-x86_64`) || process.env.CI === 'true');

/** The first CRASH result, with its place, in a concurrent step's sub-steps too. */
function firstCrash(steps: readonly StepResult[]): { where: string; error: string | undefined } | undefined {
  for (const [i, step] of steps.entries()) {
    if (step.code === 'CRASH') return { where: String(i), error: step.error };
    const inner = step.steps === undefined ? undefined : firstCrash(step.steps);
    if (inner !== undefined) return { where: `${i}.${inner.where}`, error: inner.error };
  }
  return undefined;
}

describe('the engine runs block-copy-conflict-after-checkpoint to its end', () => {
  it('with no crash: it waits for the copy in flight and copies the cluster again', async () => {
    const run = await runScenarioOnEngine(scenario);
    expect(run.document.aborted).toBeFalsy();
    expect(firstCrash(run.document.steps)).toBeUndefined();
    expect(run.document.steps.length).toBe(151);
    expect(run.document.steps.every((s) => s.steps?.every((sub) => sub.ok) ?? s.ok)).toBe(true);
  });
});

describe.runIf(RUN_QEMU_TESTS)(`QEMU aborts in block-copy after a checkpoint re-dirties a cluster being copied${QEMU_SUITE_NOTE}`, () => {
  for (const version of VERSIONS) {
    describe(`QEMU ${version.name}`, () => {
      const session = new QemuSession(version.dir === undefined ? findQemuTools() : findQemuTools(`${version.dir}/bin`));
      afterAll(async () => {
        await session.close();
      });

      it('the secondary dies of SIGABRT with the assertion, at a round\'s checkpoint or write', { timeout: 300_000 }, async () => {
        let crash: ReturnType<typeof firstCrash>;
        for (let attempt = 0; attempt < 3 && crash === undefined; attempt++) crash = firstCrash((await runScenarioOnQemu(scenario, { session })).steps);
        expect(crash, 'no crash in three runs of 150 rounds: has QEMU fixed the block-copy conflict?').toBeDefined();
        expect(crash!.where).toMatch(/^\d+\.[0-2]$/);
        expect(crash!.error).toBe(`colosim: the secondary side crashed: killed by SIGABRT, its last output: qemu-system-x86_64: ${version.at}: ${ASSERTION}`);
      });
    });
  }
});
