/*
 * The campaign report page built from a hand-made run.json and coverage: the verdict, the facts,
 * coverage with denominators (the commit chart's 9 transitions are all reachable; node UNOPENED and
 * OPEN are out of a campaign's reach), every unvisited transition by name, the growth samples, a
 * counterexample's timeline with its violating step, and one-line errors for malformed inputs.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { DEFAULT_FUZZ_OPTIONS } from '../fuzz/FuzzOptions.js';
import { emptySummary } from '../fuzz/CampaignSummary.js';
import { parseScenario } from '../scenario/parseScenario.js';
import { ReportInputError, buildReportHtml, campaignCommand, writeCampaignReport } from './campaignReport.js';
import { readRunDocument } from './runDocument.js';

function runJson(extra: Record<string, unknown> = {}) {
  const s = emptySummary(7, DEFAULT_FUZZ_OPTIONS, 500);
  s.invariants.conformance.checks = 1234;
  return { ...s, cases: 500, steps: 9000, wallMs: 2000, summaryHash: 'abcd', growth: [{ cases: 250, wallMs: 900, states: 10, transitions: 20 }, { cases: 500, wallMs: 2000, states: 11, transitions: 20 }], ...extra };
}

const commitVisits = { states: { 'commit.RUNNING': 3, 'commit.READY': 3, 'commit.COMPLETED': 3 }, transitions: { 'commit.RUNNING --SYNCED--> commit.READY': 3, 'commit.READY --AUTO_COMPLETE--> commit.COMPLETED': 3 } };

describe('report.html', () => {
  const dir = mkdtempSync(join(tmpdir(), 'colosim-report-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test('verdict, facts, coverage x/y per chart, unvisited transitions by name, growth; self-contained', async () => {
    const html = await buildReportHtml(runJson(), { commit: commitVisits }, []);
    expect(html).toContain('<div id="verdict" class="ok">no violation in 500 cases</div>');
    expect(html).toContain('<td data-fact="speed">250.0 cases/s, 4500.0 steps/s</td>');
    expect(html).toContain('<td data-fact="command line"><code>npx colosim fuzz --seed 7 --runs 500 --steps 50 --faults all --profile qemu-7.2</code></td>');
    expect(html).toMatch(/<td data-fact="git commit">([0-9a-f]{40}( \(modified\))?|unknown)<\/td>/);
    expect(html).toContain('<tr id="coverage-commit" data-chart="commit"><td>Failover commit job (active commit) <small>(commit)</small></td><td class="states">3/5 (60 %)</td><td class="transitions">2/9 (22 %)</td><td>9</td></tr>');
    expect(html).toContain('<li>commit.RUNNING --IO_ERROR--&gt; commit.FAILED</li>');
    expect(html).toContain('<li>state commit.CANCELLED</li>');
    // 106 transitions of the node chart are reachable under 7.2; 15 of them are UNOPENED's or OPEN's.
    expect(html).toContain('node: 91 reachable transition(s) and 8 state(s) never visited');
    expect(html).toContain('<p id="growth-note">2 samples. 20 distinct transitions after 500 cases; the last new one appeared by case 250.</p>');
    expect(html).toContain('1234 / 0 violated</text>');
    expect(html).not.toMatch(/(src|href)="?https?:/);
    expect(html).not.toContain('<script');
  });

  test('a counterexample: the verdict and the timeline with the violating step in red', async () => {
    const scenario = parseScenario({
      colosim: 1,
      name: 'v24 checkpoint after failover',
      profile: 'v24',
      disk: { size: 1048576, pattern: 17 },
      steps: [{ do: 'start', side: 'both' }, { do: 'failover' }, { do: 'checkpoint', side: 'secondary' }],
    });
    const message = 'replication-secondary checkpoint in DONE: the chart answers ignored, the engine crash: the secondary side crashed: replication-secondary: secondary_do_checkpoint dereferenced a NULL secondary disk (stage DONE)';
    const counterexample = { path: 'ce.json', invariant: 'ignore-after-promotion', step: 2, message, shrinkRuns: 3, steps: 3 };
    const html = await buildReportHtml(runJson({ counterexample, cases: 12 }), undefined, [{ file: 'ce.json', scenario }]);
    expect(html).toContain('<div id="verdict" class="violation">VIOLATION ignore-after-promotion at step 2</div>');
    expect(html).toContain(`<div class="violation"><b>ignore-after-promotion</b> (safety): ${message}</div>`);
    expect(html).toMatch(/<tr id="step-2" class="step violating" data-step="2"><td class="what"><b>#2<\/b> checkpoint secondary/);
    expect(html.match(/class="step violating"/g)).toHaveLength(1);
    expect(html).toContain('<code class="replay">npx colosim replay ce.json</code>');
    expect(html).toContain('<th class="lane">primary</th><th class="lane">secondary</th>');
  });

  test('a lost write: the secondary cell the write went to differs from the model, and a concurrent step lists its parts', async () => {
    // QEMU 10.0.2's commit records guest writes only after its start-up scan: a secondary write racing failover is lost.
    const scenario = parseScenario({
      colosim: 1, name: 'lost write', disk: { size: 262144, pattern: 0 }, profile: 'qemu-10.0.2',
      engine: { seed: 0, schedule: { policy: 'replay', choices: [0, 0, 0, 0] }, timing: { diskLatencyTicks: 0, linkLatencyTicks: 0, commitChunkBytes: 1048576, commitPaceTicks: 0, commitScanTicksPerCluster: 8000 }, faults: [] },
      steps: [
        { do: 'start', side: 'both' },
        { do: 'write', vm: 'primary', offset: 261632, length: 1, pattern: 1 },
        { do: 'concurrent', steps: [{ do: 'failover' }, { do: 'write', vm: 'secondary', offset: 0, length: 1, pattern: 1 }] },
      ],
    });
    const counterexample = { path: 'lost.json', invariant: 'no-lost-acknowledged-write', step: 2, message: 'the secondary disk: byte at 0 is 0x00, the data model allows 0x01', shrinkRuns: 1, steps: 3 };
    const html = await buildReportHtml(runJson({ counterexample, cases: 22 }), undefined, [{ file: 'lost.json', scenario }]);
    const step2 = html.slice(html.indexOf('<tr id="step-2"'), html.indexOf('</tr>', html.indexOf('<tr id="step-2"')));
    expect(step2).toContain('<div class="part">.0 failover (primary lost): ok</div><div class="part">.1 write secondary 0+1 = 0x01: ok</div>');
    expect(step2).toContain('<div class="differs">bytes differing from the model: secondary 1</div>');
    // Four cells of 64 KiB a layer: the secondary's first (row 2, y=12) is red, the active's first (row 4, y=36) holds the write.
    expect(step2).toContain('secondary: 4 cells of 65536 bytes, 0 holding data as the model says, 1 differing from it (1 bytes)\nhidden: 4 cells of 65536 bytes, 1 holding data as the model says\n');
    expect(step2).toContain('<rect x="14" y="12" width="31.5" height="10" fill="#d62728"/>');
    expect(step2).toContain('<rect x="14" y="36" width="31.5" height="10" fill="#5b8fd6"/>');
    const step1 = html.slice(html.indexOf('<tr id="step-1"'), html.indexOf('</tr>', html.indexOf('<tr id="step-1"')));
    expect(step1).not.toContain('#d62728');
    expect(step1).toContain('<rect x="110" y="0" width="31.5" height="10" fill="#5b8fd6"/>');
  });

  test('the command line names --time, --shard and --keep-going when the run had them', () => {
    const base = readRunDocument(runJson(), 'r.json');
    expect(campaignCommand(base)).toBe('npx colosim fuzz --seed 7 --runs 500 --steps 50 --faults all --profile qemu-7.2');
    const sharded = readRunDocument(runJson({ timeBudgetMs: 5_400_000, shard: { index: 2, count: 3 }, keepGoing: 4 }), 'r.json');
    expect(campaignCommand(sharded)).toBe('npx colosim fuzz --seed 7 --runs 500 --steps 50 --faults all --profile qemu-7.2 --time 90m --shard 2/3 --keep-going 4');
    expect(campaignCommand(readRunDocument(runJson({ timeBudgetMs: 7_200_000 }), 'r.json'))).toContain(' --time 2h');
    expect(campaignCommand(readRunDocument(runJson({ timeBudgetMs: 45_000 }), 'r.json'))).toContain(' --time 45s');
  });

  test('a long campaign draws at most 400 growth samples, the last among them', async () => {
    const growth = Array.from({ length: 1000 }, (_, i) => ({ cases: 250 * (i + 1), wallMs: 1000 * (i + 1), states: 30, transitions: 100 + Math.floor(i / 10) }));
    const html = await buildReportHtml(runJson({ growth, cases: 250_000 }), undefined, []);
    expect(html).toContain('<p id="growth-note">1000 samples (334 drawn). 199 distinct transitions after 250000 cases; the last new one appeared by case 247750.</p>');
    const path = /<path class="series" data-series="distinct transitions" d="([^"]*)"/.exec(html)![1]!;
    expect(path.split(' ')).toHaveLength(334);
  });

  test('malformed inputs are one line naming the file and field', async () => {
    await expect(buildReportHtml([], undefined, [], 'r.json')).rejects.toThrow(new ReportInputError('r.json: must be a JSON object (the run.json colosim fuzz writes)'));
    await expect(buildReportHtml(runJson({ wallMs: 'soon' }), undefined, [], 'r.json')).rejects.toThrow('r.json: wallMs: must be a number');
    await expect(buildReportHtml(runJson({ growth: [{ cases: 1 }] }), undefined, [], 'r.json')).rejects.toThrow('r.json: growth: must be a list of {cases, wallMs, states, transitions}');
    await expect(buildReportHtml(runJson(), { nodes: {} }, [], 'r.json')).rejects.toThrow('coverage.json: unknown field "nodes"');
    await expect(writeCampaignReport(join(dir, 'absent'))).rejects.toThrow(`${join(dir, 'absent')}: not a folder`);
    writeFileSync(join(dir, 'run.json'), JSON.stringify(runJson({ counterexample: { path: 'gone.json', invariant: 'x', step: 0, message: 'm' } })));
    await expect(writeCampaignReport(dir)).rejects.toThrow(`${join(dir, 'run.json')}: counterexample.path: gone.json does not exist`);
  });

  test('writeCampaignReport writes report.html beside run.json', async () => {
    writeFileSync(join(dir, 'run.json'), JSON.stringify(runJson()));
    const { path, bytes } = await writeCampaignReport(dir);
    expect(path).toBe(join(dir, 'report.html'));
    expect(bytes).toBeGreaterThan(10_000);
  });
});
