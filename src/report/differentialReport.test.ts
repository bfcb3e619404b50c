/*
 * The differential campaign's report: from a hand-made run.json with a shrunk difference (the
 * verdict, the facts, the differing fields by step, the replay command, the step list with the
 * differing step marked), one-line errors for a malformed one, and (with QEMU installed) what
 * `colosim diff --generate --out DIR` writes there, rebuilt byte for byte by `colosim report DIR`.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, test } from 'vitest';
import { RUN_QEMU_TESTS, QEMU_SUITE_NOTE } from '../qemu/qemuTestSupport.js';
import { writeCampaignReport } from './campaignReport.js';

const BIN = fileURLToPath(new URL('../cli/colosim.js', import.meta.url));

const scenario = {
  colosim: 1,
  name: 'differential-seed-4',
  disk: { size: 65536 },
  steps: [{ do: 'start', side: 'both' }, { do: 'write', vm: 'primary', offset: 0, length: 512, pattern: 7 }, { do: 'read', vm: 'secondary', offset: 0, length: 512 }],
};

function differentialRun(extra: Record<string, unknown> = {}) {
  return {
    schema: 1, command: 'diff', verdict: 'violation', exitCode: 1, kind: 'differential', runsRequested: 50,
    commandLine: 'colosim diff --generate 50 --seed 4', wallMs: 2500, qemuVersion: '10.0.2',
    seed: 4, scenarios: 12, runs: 30, compared: 240, skipped: 3, explained: { D1: 2 },
    failure: { file: 'reports/differential/differential-seed-4.json', scenario, differences: [{ step: '2', field: 'runs', engine: [[7, 512]], qemu: [[0, 512]] }, { step: '2', field: 'ok', engine: true, qemu: false }], counterexamplePath: '3:1' },
    ...extra,
  };
}

describe('the differential campaign report', () => {
  const dir = mkdtempSync(join(tmpdir(), 'colosim-diff-report-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test('a difference: verdict, facts, the fields by step, the replay command, the step marked', async () => {
    writeFileSync(join(dir, 'run.json'), JSON.stringify(differentialRun()));
    const { path, bytes } = await writeCampaignReport(dir);
    const html = readFileSync(path, 'utf8');
    expect(bytes).toBe(Buffer.byteLength(html));
    expect(html).toContain('<div id="verdict" class="violation">DIFFERENCE: 2 field(s) differ between the engine and QEMU</div>');
    expect(html).toContain('<td data-fact="QEMU">10.0.2</td>');
    expect(html).toContain('<td data-fact="command line"><code>npx colosim diff --generate 50 --seed 4</code></td>');
    expect(html).toContain('<td data-fact="scenarios">12 of 50</td>');
    expect(html).toContain('<td data-fact="speed">12.00 runs/s</td>');
    expect(html).toContain('<tr class="differs" data-step="2"><td rowspan="2"><b>#2</b> read secondary 0+512</td><td><code>runs</code></td><td>[[7,512]]</td><td>[[0,512]]</td></tr><tr class="differs" data-step="2"><td><code>ok</code></td><td>true</td><td>false</td></tr>');
    expect(html).toContain('<code class="replay">npx colosim diff reports/differential/differential-seed-4.json</code>');
    expect(html).toContain('<ol start="0" class="steps"><li>start both</li><li>write primary 0+512 = 0x07</li><li class="bad">read secondary 0+512</li></ol>');
    expect(html).toContain('<g class="bar" data-label="D1">');
    expect(html).not.toMatch(/(src|href)="?https?:/);
    expect(html).not.toContain('<script');
  });

  test('no difference: the verdict and no difference section', async () => {
    writeFileSync(join(dir, 'run.json'), JSON.stringify(differentialRun({ verdict: 'ok', exitCode: 0, failure: undefined, explained: {}, scenarios: 50 })));
    const html = readFileSync((await writeCampaignReport(dir)).path, 'utf8');
    expect(html).toContain('<div id="verdict" class="ok">no difference in 50 scenarios</div>');
    expect(html).toContain('<td data-fact="scenarios">50</td>');
    expect(html).toContain('<p id="divergences">None: every run compared equal field by field.</p>');
    expect(html).toContain('<p>None: the engine and QEMU gave the same results.</p>');
  });

  test('every distinct difference: its signature, its shrunk file linked from the page, its fields; one past --keep-going unshrunk', async () => {
    const second = { ...scenario, steps: [{ do: 'start', side: 'both' }, { do: 'flush', vm: 'primary' }] };
    const distinct = [
      { signature: 'read secondary: runs', firstScenario: 3, scenarios: 4, shrunk: true, scenario, file: join(dir, 'differential-seed-4.json'), counterexamplePath: '3:1', differences: [{ step: '2', field: 'runs', engine: [[7, 512]], qemu: [[0, 512]] }] },
      { signature: 'flush primary: ok true/false', firstScenario: 9, scenarios: 1, shrunk: false, scenario: second, differences: [{ step: '1', field: 'ok', engine: true, qemu: false }] },
    ];
    writeFileSync(join(dir, 'run.json'), JSON.stringify(differentialRun({ distinct, differing: 5, connections: 'parallel', setCompared: 7, tooManyOrders: 1 })));
    const html = readFileSync((await writeCampaignReport(dir)).path, 'utf8');
    expect(html).toContain('<h2>Differences: 2 distinct, in 5 scenario(s)</h2>');
    expect(html).toContain('<h3 class="distinct" id="distinct-0">1. <code class="signature">read secondary: runs</code>: 4 scenario(s), first generated scenario 3</h3>');
    expect(html).toContain(`<p>Shrunk to <a class="scenario-file" href="differential-seed-4.json"><code>${join(dir, 'differential-seed-4.json')}</code></a> (3 steps, `);
    expect(html).toContain('<table class="grid" id="differences-0"><thead><tr><th>step</th><th>field</th><th>engine</th><th>QEMU</th></tr></thead><tbody><tr class="differs" data-step="2"><td rowspan="1"><b>#2</b> read secondary 0+512</td><td><code>runs</code></td><td>[[7,512]]</td><td>[[0,512]]</td></tr></tbody></table>');
    expect(html).toContain(`<code class="replay">npx colosim diff ${join(dir, 'differential-seed-4.json')}</code>`);
    expect(html).toContain('<h3 class="distinct" id="distinct-1">2. <code class="signature">flush primary: ok true/false</code>: 1 scenario(s), first generated scenario 9</h3>');
    expect(html).toContain('<p class="unshrunk">Not shrunk (past --keep-going; <code>--keep-going 2</code> shrinks it).</p>');
    expect(html).toContain('<table class="grid" id="differences-1"><thead><tr><th>step</th><th>field</th><th>engine</th><th>QEMU</th></tr></thead><tbody><tr class="differs" data-step="1"><td rowspan="1"><b>#1</b> flush primary</td><td><code>ok</code></td><td>true</td><td>false</td></tr></tbody></table>');
    expect(html).toContain('<td data-fact="steps compared against a set">7 (every order of concurrent sub-steps; 1 run(s) with too many orders compared exactly)</td>');
    expect(html).toContain('<td data-fact="connections">parallel</td>');
    expect(html.match(/<h3 class="distinct"/g)).toHaveLength(2);
  });

  test('a malformed differential run.json is one line naming the field', async () => {
    writeFileSync(join(dir, 'run.json'), JSON.stringify(differentialRun({ compared: 'many' })));
    await expect(writeCampaignReport(dir)).rejects.toThrow(`${join(dir, 'run.json')}: compared: must be an integer >= 0`);
    writeFileSync(join(dir, 'run.json'), JSON.stringify({ ...differentialRun(), commandLine: undefined }));
    await expect(writeCampaignReport(dir)).rejects.toThrow(`${join(dir, 'run.json')}: missing field "commandLine" (not a run.json colosim diff --generate wrote?)`);
    writeFileSync(join(dir, 'run.json'), JSON.stringify(differentialRun({ failure: { file: 3 } })));
    await expect(writeCampaignReport(dir)).rejects.toThrow(`${join(dir, 'run.json')}: failure: must be an object {file, scenario, differences}`);
  });

  test.runIf(RUN_QEMU_TESTS)(`diff --generate --out DIR writes run.json and report.html there; colosim report DIR rebuilds the same page${QEMU_SUITE_NOTE}`, { timeout: 180_000 }, () => {
    const out = join(dir, 'generated');
    const r = spawnSync(process.execPath, [BIN, 'diff', '--generate', '2', '--seed', '11', '--out', out], { encoding: 'utf8', timeout: 170_000 });
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^colosim diff --generate 2 --seed 11\\nQEMU 7\\.2\\.\\d+: 2 scenario\\(s\\) generated, 2 run\\(s\\) with shrinking, \\d+ step\\(s\\) compared \\(0 against the set every order admits\\), 0 skipped\\nreport: ${out}/run\\.json\\npage: ${out}/report\\.html\\n$`));
    const run = JSON.parse(readFileSync(join(out, 'run.json'), 'utf8')) as Record<string, unknown>;
    expect([run.schema, run.command, run.verdict, run.kind, run.seed, run.scenarios, run.runsRequested, run.commandLine]).toEqual([1, 'diff', 'ok', 'differential', 11, 2, 2, 'colosim diff --generate 2 --seed 11']);
    expect([run.connections, run.setCompared, run.tooManyOrders]).toEqual(['parallel', 0, 0]);
    const page = readFileSync(join(out, 'report.html'), 'utf8');
    expect(page).toContain('<div id="verdict" class="ok">no difference in 2 scenarios</div>');
    expect(page).toContain(`<td data-fact="steps compared">${String(run.compared)}</td>`);
    const again = spawnSync(process.execPath, [BIN, 'report', out], { encoding: 'utf8', timeout: 60_000 });
    expect([again.status, again.stdout]).toEqual([0, `report: ${join(out, 'report.html')} (${Buffer.byteLength(page)} bytes)\n`]);
    expect(readFileSync(join(out, 'report.html'), 'utf8')).toBe(page);
  });
});
