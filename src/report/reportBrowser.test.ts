/*
 * report.html and the chart explorer in a real browser (Debian's chromium through playwright-core,
 * a fresh profile, no network): for a clean campaign and for a v24 counterexample, the verdict and
 * the coverage numbers are what run.json and coverage.json say, the violating step is marked,
 * zooming, fitting, searching and stepping work, nothing is logged as an error and nothing but
 * file: and data: URLs is requested. Screenshots go under the test's temp dir, which is removed
 * unless COLOSIM_KEEP_SCREENSHOTS=1 (the path is printed). Skipped without chromium unless CI=true.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type BrowserContext, type Page, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { chartStates, chartTransitions } from '../../models/paths/chartTransitions.js';
import { reachableUnder } from '../../models/paths/coveringPaths.js';
import { MODEL_NAMES, MODELS } from '../../models/paths/modelCatalog.js';

const CHROMIUM = '/usr/bin/chromium';
const run = existsSync(CHROMIUM) || process.env.CI === 'true' ? describe : describe.skip;
const BIN = fileURLToPath(new URL('../cli/colosim.js', import.meta.url));
const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

function colosim(...args: string[]): { code: number | null; out: string; err: string } {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', timeout: 240_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

const readJson = <T,>(file: string): T => JSON.parse(readFileSync(file, 'utf8')) as T;

run('report.html and the explorer in chromium', () => {
  const dir = mkdtempSync(join(tmpdir(), 'colosim-browser-'));
  const clean = join(dir, 'clean');
  const v24 = join(dir, 'v24');
  let context: BrowserContext;
  const requests: string[] = [];
  const opened: string[] = [];
  const errors: string[] = [];
  const shots: string[] = [];

  beforeAll(async () => {
    expect(colosim('fuzz', '--seed', '1', '--runs', '300', '--out', clean).code).toBe(0);
    expect(colosim('chart', '--format', 'html', '--coverage', join(clean, 'coverage.json'), '--out', join(clean, 'charts.html')).code).toBe(0);
    expect(colosim('fuzz', '--seed', '1', '--runs', '300', '--profile', 'v24', '--out', v24).code).toBe(1);
    const found = readJson<{ counterexample: { path: string } }>(join(v24, 'run.json')).counterexample.path;
    expect(colosim('run', found, '--check', '--chart-trace', join(v24, 'trace.json')).code).toBe(1);
    expect(colosim('chart', '--format', 'html', '--profile', 'v24', '--trace', join(v24, 'trace.json'), '--out', join(v24, 'charts.html')).code).toBe(0);
    context = await chromium.launchPersistentContext(join(dir, 'profile'), { executablePath: CHROMIUM, args: FLAGS, viewport: { width: 1280, height: 900 } });
    await context.route('**/*', (route) => (/^file:/.test(route.request().url()) ? route.continue() : route.abort()));
  }, 240_000);

  afterAll(async () => {
    await context?.close();
    if (process.env.COLOSIM_KEEP_SCREENSHOTS === '1') process.stderr.write(`screenshots kept in ${dir}\n`);
    else rmSync(dir, { recursive: true, force: true });
  });

  async function open(file: string): Promise<Page> {
    const page = await context.newPage();
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(`${file}: ${m.text()}`);
    });
    page.on('pageerror', (e) => errors.push(`${file}: ${e.message}`));
    page.on('request', (r) => requests.push(r.url()));
    opened.push(`file://${file}`);
    await page.goto(`file://${file}`);
    return page;
  }

  async function shot(page: Page, name: string): Promise<void> {
    await page.screenshot({ path: join(dir, `${name}.png`), fullPage: true });
    shots.push(`${name}.png`);
  }

  /** Each chart's row of the coverage table: visited of reachable, the reachable parts recomputed from the chart under 7.2's rules. */
  async function expectCoverage(page: Page, folder: string): Promise<void> {
    const coverage = readJson<Record<string, { states: Record<string, number>; transitions: Record<string, number> }>>(join(folder, 'coverage.json'));
    for (const name of MODEL_NAMES) {
      const counts = coverage[name] ?? { states: {}, transitions: {} };
      const machine = MODELS[name].machine;
      const reachable = reachableUnder(MODELS[name], 'qemu-7.2');
      // Campaigns open each node once and never send it anything before: UNOPENED and OPEN are out of their reach.
      const driven = (key: string) => reachable.transitions.has(key) && !key.startsWith('node.UNOPENED ') && !key.includes(' --OPEN');
      const visited = (map: Record<string, number>) => Object.values(map).filter((n) => n > 0).length;
      const states = chartStates(machine).filter((s) => reachable.states.has(s.id) || (counts.states[s.id] ?? 0) > 0).length;
      const transitions = chartTransitions(machine).filter((t) => driven(t.key) || (counts.transitions[t.key] ?? 0) > 0);
      const pct = (a: number, b: number) => `${a}/${b} (${((100 * a) / b).toFixed(0)} %)`;
      expect(await page.textContent(`#coverage-${name} .states`), name).toBe(pct(visited(counts.states), states));
      expect(await page.textContent(`#coverage-${name} .transitions`), name).toBe(pct(visited(counts.transitions), transitions.length));
      const never = transitions.filter((t) => driven(t.key) && (counts.transitions[t.key] ?? 0) === 0).map((t) => t.key);
      expect(await page.locator(`#unvisited-${name} li`).allTextContents(), name).toEqual(expect.arrayContaining(never));
      expect(await page.locator(`#unvisited-${name} li:not(:text-matches("^state "))`).count(), name).toBe(never.length);
    }
  }

  test('the clean campaign: verdict, facts and coverage x/y per chart as coverage.json and the charts give them', async () => {
    const summary = readJson<{ transitions: Record<string, number> }>(join(clean, 'run.json'));
    const page = await open(join(clean, 'report.html'));
    expect(await page.textContent('#verdict')).toBe('no violation in 300 cases');
    expect(await page.getAttribute('#verdict', 'class')).toBe('ok');
    expect(await page.textContent('[data-fact="cases"]')).toBe('300');
    expect(await page.textContent('[data-fact="seed"]')).toBe('1');
    expect(await page.textContent('[data-fact="command line"]')).toBe('npx colosim fuzz --seed 1 --runs 300 --steps 50 --faults all --profile qemu-7.2');
    await expectCoverage(page, clean);
    expect(await page.locator('#invariants .bar').count()).toBe(17);
    expect(await page.locator('#invariants .bar rect.alert').count()).toBe(0);
    expect(await page.locator('#growth-coverage path.series').count()).toBe(2);
    expect(await page.textContent('#growth-note')).toMatch(new RegExp(`^2 samples\\. ${Object.keys(summary.transitions).length} distinct transitions after 300 cases; the last new one appeared by case (250|300)\\.$`));
    expect(await page.locator('section.counterexample').count()).toBe(0);
    await shot(page, 'clean-report');
    await page.close();
  });

  test('the v24 counterexample: the verdict, coverage, and its violating step red in the timeline with invariant and message', async () => {
    const summary = readJson<{ counterexample: { invariant: string; step: number; message: string; path: string } }>(join(v24, 'run.json'));
    const c = summary.counterexample;
    expect([c.invariant, c.step]).toEqual(['ignore-after-promotion', 2]);
    const page = await open(join(v24, 'report.html'));
    expect(await page.textContent('#verdict')).toBe('VIOLATION ignore-after-promotion at step 2');
    expect(await page.getAttribute('#verdict', 'class')).toBe('violation');
    expect(await page.textContent('[data-fact="cases"]')).toBe('1 of 300');
    await expectCoverage(page, v24);
    expect(await page.textContent('#invariants .bar[data-label="ignore-after-promotion"] text.bad')).toMatch(/^\d+ \/ [1-9]\d* violated$/);
    const row = page.locator('#counterexample-0 tr#step-2');
    expect(await row.getAttribute('class')).toBe('step violating');
    expect(await row.locator('.violation').textContent()).toBe(`ignore-after-promotion (safety): ${c.message}`);
    const style = (el: unknown) => (globalThis as unknown as { getComputedStyle(e: unknown): { backgroundColor: string } }).getComputedStyle(el).backgroundColor;
    expect(await row.evaluate(style)).toBe('rgb(253, 226, 226)');
    expect(await page.locator('#counterexample-0 tr.violating').count()).toBe(1);
    expect(await page.locator('#counterexample-0 tr.step').count()).toBe(3);
    expect(await page.textContent('#counterexample-0 code.replay')).toBe(`npx colosim replay ${c.path}`);
    expect(await page.locator('#counterexample-0 th.lane').allTextContents()).toEqual(['primary', 'secondary', 'backup', 'commit']);
    // A 512-byte disk is one cell a layer: four rows, P S H A; after the secondary crashed all four are n/a (white).
    expect(await row.locator('svg.clusters text').allTextContents()).toEqual(['P', 'S', 'H', 'A']);
    expect(await row.locator('svg.clusters rect').evaluateAll((rects) => rects.map((r) => (r as unknown as { getAttribute(n: string): string }).getAttribute('fill')))).toEqual(['#ffffff', '#ffffff', '#ffffff', '#ffffff']);
    await shot(page, 'v24-report');
    await page.close();
  });

  test('the explorer: zoom in, wheel, fit and search change the chart view', async () => {
    const page = await open(join(clean, 'charts.html'));
    const viewBox = async () => (await page.getAttribute('.viewport[data-chart="node"] svg', 'viewBox'))!.split(' ').map(Number);
    const home = await viewBox();
    await page.click('#chart-node .zoom-in');
    const zoomed = await viewBox();
    expect(zoomed[2]! / home[2]!).toBeCloseTo(1 / 1.5, 5);
    expect(await page.getAttribute('.viewport[data-chart="node"]', 'data-zoom')).toBe('1.50');
    await page.locator('.viewport[data-chart="node"]').hover();
    await page.mouse.wheel(0, -100);
    expect((await viewBox())[2]! / home[2]!).toBeCloseTo(1 / 1.5 / 1.25, 5);
    const before = await viewBox();
    const box = (await page.locator('.viewport[data-chart="node"]').boundingBox())!;
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width / 2 - 100, box.y + box.height / 2);
    await page.mouse.up();
    const panned = await viewBox();
    for (const i of [1, 2, 3]) expect(panned[i]!).toBeCloseTo(before[i]!, 3);
    expect(panned[0]! - before[0]!).toBeGreaterThan(0);
    await page.click('#chart-node .fit');
    (await viewBox()).forEach((v, i) => expect(v).toBeCloseTo(home[i]!, 3));
    await page.fill('#search', 'FAILOVER_FAILED');
    const hits = await page.locator('.search-hit').count();
    expect(await page.textContent('#search-count')).toBe(`${hits} matches (Enter: next)`);
    expect(hits).toBeGreaterThan(1);
    await page.press('#search', 'Enter');
    const zooms = await page.locator('.viewport').evaluateAll((views) => views.map((v) => Number((v as unknown as { getAttribute(name: string): string | null }).getAttribute('data-zoom'))));
    expect(zooms.filter((z) => z > 1)).toHaveLength(1);
    await shot(page, 'clean-explorer');
    await page.close();
  });

  test('the explorer stepping the counterexample: one lane per node, the taken edge, the violating step marked', async () => {
    const trace = readJson<{ lane: string; state: string; event: string; step: number; violation?: string }[]>(join(v24, 'trace.json'));
    const page = await open(join(v24, 'charts.html'));
    const lanes = [...new Set(trace.map((s) => s.lane))];
    expect(lanes).toEqual(['replication-secondary', 'replication-primary']);
    expect(await page.locator('#steps th').allTextContents()).toEqual(['#', 'scenario step', ...lanes]);
    expect(await page.locator('#steps tr.trace-step td.scenario-step').allTextContents()).toEqual(trace.map((s) => `#${s.step}`));
    const inLane = await page.locator('#steps tr.trace-step').evaluateAll((rows) => rows.map((r) => [...(r as unknown as { children: { textContent: string }[] }).children].slice(2).map((c) => c.textContent)));
    expect(inLane).toEqual(trace.map((s) => lanes.map((l) => (l === s.lane ? `${s.event} -> ${s.state}` : ''))));
    expect(await page.textContent('#step-pos')).toBe(`step 1 / ${trace.length}`);
    expect(await page.locator('.taken-edge').count()).toBe(1);
    expect(await page.getAttribute('.viewport[data-chart="node"]', 'data-zoom')).not.toBe('1.00');
    await page.keyboard.press('ArrowRight');
    expect(await page.textContent('#step-pos')).toBe(`step 2 / ${trace.length}`);
    expect(await page.locator('#lanes .lane-chip').allTextContents()).toEqual(['replication-secondary: RUNNING', 'replication-primary: RUNNING']);
    await page.keyboard.press('End');
    // End steps to the last step and keeps the node chart in view: it does not scroll the page to its last chart.
    const nodeChart = (await page.locator('.viewport[data-chart="node"]').boundingBox())!;
    expect(nodeChart.y < 900 && nodeChart.y + nodeChart.height > 0).toBe(true);
    const last = trace.at(-1)!;
    expect(await page.textContent('#step-pos')).toBe(`step ${trace.length} / ${trace.length}`);
    expect(await page.textContent('#step-info')).toBe(`${last.lane} (node): ${last.event} -> ${last.state}  [scenario step #${last.step}]`);
    const marked = trace.findIndex((s) => s.violation !== undefined);
    expect(marked).toBe(trace.length - 1);
    expect(await page.locator('#steps tr.violating-step').count()).toBe(1);
    expect(await page.textContent('#step-violation')).toBe(`VIOLATION: ${last.violation}`);
    expect(await page.locator('.violating-state').evaluateAll((els) => els.map((e) => (e as unknown as { id: string }).id))).toEqual([`st_node.${last.state}`]);
    expect(await page.locator('.taken-edge').evaluateAll((els) => els.map((e) => (e as unknown as { id: string }).id))).toEqual([expect.stringMatching(/^a_rw_node_\d+$/)]);
    expect(await page.locator('#lanes .lane-chip').allTextContents()).toEqual(['replication-secondary: DONE', 'replication-primary: RUNNING']);
    await shot(page, 'v24-explorer');
    await page.locator('#steps tr.trace-step').nth(0).click();
    expect(await page.textContent('#step-pos')).toBe(`step 1 / ${trace.length}`);
    expect(await page.textContent('#step-violation')).toBe('');
    await page.keyboard.press('ArrowLeft');
    expect(await page.textContent('#step-pos')).toBe(`step 1 / ${trace.length}`);
    await page.close();
  });

  test('no console errors, nothing but the pages themselves requested, a screenshot of each page', () => {
    expect(errors).toEqual([]);
    expect([...new Set(requests)].sort()).toEqual([...new Set(opened)].sort());
    expect(readdirSync(dir).filter((f) => f.endsWith('.png')).sort()).toEqual([...shots].sort());
    expect(shots).toHaveLength(4);
  });
});
