/*
 * QEMU 10.0.2's failover data loss (issue 12 §4, GitLab #3273): from 8.2 (058cfca564) the active
 * commit records guest writes only once its start-up scan is done, so a secondary write landing in a
 * cluster the scan has already passed is lost at the pivot. The qemu-10.0.2 profile reproduces the
 * window; campaigns hold every profile to QEMU 7.2's rules, so the in-memory campaign names the loss
 * `no-lost-acknowledged-write`, while qemu-7.2 stays clean on the same seeds and the same shape.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkScenario } from '../src/check/checkScenario.js';
import { runCampaign } from '../src/fuzz/Campaign.js';
import { DEFAULT_FUZZ_OPTIONS } from '../src/fuzz/FuzzOptions.js';
import { runCase } from '../src/fuzz/runCase.js';
import { parseScenario, parseScenarioText } from '../src/scenario/parseScenario.js';
import type { Profile } from '../src/scenario/Scenario.js';

const OUT_DIR = mkdtempSync(join(tmpdir(), 'colosim-commit-window-'));
afterAll(() => rmSync(OUT_DIR, { recursive: true, force: true }));

/**
 * The primary's write to cluster 3 is copied into hidden (the one allocated cluster, 1,000 ticks of
 * scan); the secondary writes cluster 0 as it takes over: the scan has passed it unallocated.
 */
const scenario = (profile: Profile) =>
  parseScenario({
    colosim: 1,
    name: 'commit-startup-window',
    disk: { size: 262144, pattern: 17 },
    profile,
    engine: { timing: { commitScanTicksPerCluster: 1000 } },
    steps: [
      { do: 'start', side: 'both' },
      { do: 'write', vm: 'primary', offset: 196608, length: 512, pattern: 34 },
      { do: 'concurrent', steps: [{ do: 'failover' }, { do: 'write', vm: 'secondary', offset: 0, length: 512, pattern: 51 }] },
      { do: 'read', vm: 'secondary', offset: 0, length: 512 },
    ],
  });

describe('the failover commit start-up window (QEMU >=8.2 <10.0.13)', () => {
  it('qemu-10.0.2: the acknowledged secondary write is missing after the pivot, named no-lost-acknowledged-write', async () => {
    const checked = await checkScenario(scenario('qemu-10.0.2'), {}, { spec: 'qemu-7.2' });
    const doc = checked.run.document;
    expect(doc.steps[2]!.steps!.map((s) => s.ok)).toEqual([true, true]);
    expect(doc.steps[3]!.runs).toEqual([[0x11, 512]]);
    expect(checked.violations.map((v) => [v.invariant, v.step, v.message])).toEqual([
      ['no-lost-acknowledged-write', 2, 'the secondary disk: byte at 0 is 0x11, the data model allows 0x33'],
      ['no-lost-acknowledged-write', 2, "the secondary VM's view: byte at 0 is 0x11, the data model allows 0x33"],
      ['no-lost-acknowledged-write', 3, 'secondary vm read [0,+512] on disk 0: byte at 0 is 0x11, the data model allows 0x33'],
      ['no-lost-acknowledged-write', 3, 'the secondary disk: byte at 0 is 0x11, the data model allows 0x33'],
      ['no-lost-acknowledged-write', 3, "the secondary VM's view: byte at 0 is 0x11, the data model allows 0x33"],
    ]);
  });

  it('qemu-7.2: the same run keeps the write', async () => {
    const checked = await checkScenario(scenario('qemu-7.2'), {}, { spec: 'qemu-7.2' });
    expect(checked.run.document.steps[3]!.runs).toEqual([[0x33, 512]]);
    expect(checked.violations).toEqual([]);
  });

  it('the campaign finds it on qemu-10.0.2 within 200 cases of seed 1 and shrinks it to a replayable scenario; qemu-7.2 passes the same cases', { timeout: 300_000 }, async () => {
    const campaign = (profile: Profile, runs: number) => runCampaign({ seed: 1, runs, fuzz: { ...DEFAULT_FUZZ_OPTIONS, profile }, outDir: OUT_DIR, command: `commit-window ${profile}` });
    const broken = await campaign('qemu-10.0.2', 200);
    expect(broken.counterexample?.invariant).toBe('no-lost-acknowledged-write');
    expect(broken.cases).toBeLessThanOrEqual(200);
    const replay = await runCase(parseScenarioText(readFileSync(broken.counterexample!.path, 'utf8')));
    expect(replay.violations.map((v) => v.invariant)).toContain('no-lost-acknowledged-write');
    const fixed = await campaign('qemu-7.2', broken.cases);
    expect(fixed.counterexample).toBeUndefined();
    expect(fixed.cases).toBe(broken.cases);
  });
});
