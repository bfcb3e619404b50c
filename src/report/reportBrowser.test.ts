/*
 * report.html and the chart explorer in a real browser (Debian's chromium through playwright-core,
 * a fresh profile, no network): for a clean campaign and for a v24 counterexample, the verdict and
 * the coverage numbers are what run.json and coverage.json say, the violating step is marked,
 * zooming, fitting, searching and stepping work, nothing is logged as an error and nothing but
 * file: and data: URLs is requested. Screenshots go under the test's temp dir, which is removed
 * unless COLOSIM_KEEP_SCREENSHOTS=1 (the path is printed). Skipped without chromium unless CI=true.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
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
  const errors: string[] = [];

  beforeAll(async () => {
    expect(colosim('fuzz', '--seed', '1', '--runs', '300', '--out', clean).code).toBe(0);
    expect(colosim('chart', '--format', 'html', '--coverage', join(clean, 'coverage.json'), '--out', join(clean, 'charts.html')).code).toBe(0);
    expect(colosim('fuzz', '--seed', '3', '--runs', '300', '--profile', 'v24', '--out', v24).code).toBe(1);
    const found = readJson<{ counterexample: { path: string } }>(join(v24, 'run.json')).counterexample.path;
    expect(colosim('run', found, '--check', '--chart-trace', join(v24, 'trace.json')).code).toBe(1);
    expect(colosim('chart', '--format', 'html', '--profile', 'v24', '--trace', join(v24, 'trace.json'), '--out', join(v24, 'charts.html')).code).toBe(0);
    context = await chromium.launchPersistentContext(join(dir, 'profile'), { executablePath: CHROMIUM, args: FLAGS, viewport: { width: 1280, height: 900 } });
    await context.route('**/*', (route) => {
      const url = route.request().url();
      requests.push(url);
      return /^(file|data):/.test(url) ? route.continue() : route.abort();
    });
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
    await page.goto(`file://${file}`);
    return page;
  }

  const shot = (page: Page, name: string) => page.screenshot({ path: join(dir, `${name}.png`), fullPage: true });

  test('the clean campaign: verdict, facts and coverage x/y per chart as coverage.json and the charts give them', async () => {
    const page = await open(join(clean, 'report.html'));
    expect(await page.textContent('#verdict')).toBe('no violation in 300 cases');
    expect(await page.textContent('[data-fact="cases"]')).toBe('300');
    expect(await page.textContent('[data-fact="seed"]')).toBe('1');
    const coverage = readJson<Record<string, { states: Record<string, number>; transitions: Record<string, number> }>>(join(clean, 'coverage.json'));
    for (const name of MODEL_NAMES) {
      const counts = coverage[name] ?? { states: {}, transitions: {} };
      const machine = MODELS[name].machine;
      const reachable = reachableUnder(MODELS[name], 'qemu-7.2');
      // Campaigns open each node once and never send it anything before: UNOPENED and OPEN are out of their reach.
      const driven = (key: string) => reachable.transitions.has(key) && !key.startsWith('node.UNOPENED ') && !key.includes(' --OPEN');
      const visited = (map: Record<string, number>) => Object.values(map).filter((n) => n > 0).length;
      const states = chartStates(machine).filter((s) => reachable.states.has(s.id) || (counts.states[s.id] ?? 0) > 0).length;
      const transitions = chartTransitions(machine).filter((t) => driven(t.key) || (counts.transitions[t.key] ?? 0) > 0).length;
      const pct = (a: number, b: number) => `${a}/${b} (${((100 * a) / b).toFixed(0)} %)`;
      expect(await page.textContent(`#coverage-${name} .states`), name).toBe(pct(visited(counts.states), states));
      expect(await page.textContent(`#coverage-${name} .transitions`), name).toBe(pct(visited(counts.transitions), transitions));
      expect(visited(counts.transitions), `${name} was visited`).toBeGreaterThan(0);
    }
    expect(await page.locator('#invariants .bar').count()).toBe(16);
    expect(await page.locator('#growth-coverage path.series').count()).toBe(2);
    expect(await page.textContent('#growth-note')).toMatch(/^2 samples\. \d+ distinct transitions after 300 cases;/);
    await shot(page, 'clean-report');
    await page.close();
  });

  test('the v24 counterexample: the verdict, and its violating step red in the timeline with invariant and message', async () => {
    const summary = readJson<{ counterexample: { invariant: string; step: number; message: string; path: string } }>(join(v24, 'run.json'));
    const c = summary.counterexample;
    const page = await open(join(v24, 'report.html'));
    expect(await page.textContent('#verdict')).toBe(`VIOLATION ${c.invariant} at step ${c.step}`);
    expect(await page.getAttribute('#verdict', 'class')).toBe('violation');
    const row = page.locator(`#counterexample-0 tr#step-${c.step}`);
    expect(await row.getAttribute('class')).toBe('step violating');
    expect(await row.locator('.violation').textContent()).toBe(`${c.invariant} (safety): ${c.message}`);
    const style = (el: unknown) => (globalThis as unknown as { getComputedStyle(e: unknown): { backgroundColor: string } }).getComputedStyle(el).backgroundColor;
    expect(await row.evaluate(style)).toBe('rgb(253, 226, 226)');
    expect(await page.locator('#counterexample-0 tr.violating').count()).toBe(1);
    expect(await page.textContent('#counterexample-0 code.replay')).toBe(`npx colosim replay ${c.path}`);
    expect(await page.locator('#counterexample-0 th.lane').allTextContents()).toEqual(expect.arrayContaining(['primary', 'secondary']));
    expect(await page.locator(`#counterexample-0 tr#step-${c.step} svg.clusters rect`).count()).toBeGreaterThanOrEqual(4);
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
    await page.locator('.viewport[data-chart="node"]').hover();
    await page.mouse.wheel(0, -100);
    expect((await viewBox())[2]! / home[2]!).toBeCloseTo(1 / 1.5 / 1.25, 5);
    await page.click('#chart-node .fit');
    expect(await viewBox()).toEqual(home);
    await page.fill('#search', 'FAILOVER_FAILED');
    expect(await page.textContent('#search-count')).toMatch(/^\d+ matches \(Enter: next\)$/);
    expect(await page.locator('.search-hit').count()).toBeGreaterThan(1);
    await page.press('#search', 'Enter');
    const found = await page.locator('.viewport').evaluateAll((views) => views.map((v) => Number((v as unknown as { getAttribute(name: string): string | null }).getAttribute('data-zoom'))));
    expect(found.some((z) => z > 1)).toBe(true);
    await shot(page, 'clean-explorer');
    await page.close();
  });

  test('the explorer stepping the counterexample: one lane per node, the taken edge, the violating step marked', async () => {
    const trace = readJson<{ lane: string; state: string; event: string; step: number; violation?: string }[]>(join(v24, 'trace.json'));
    const page = await open(join(v24, 'charts.html'));
    expect(await page.textContent('#step-pos')).toBe(`step 1 / ${trace.length}`);
    expect(await page.locator('.taken-edge').count()).toBe(1);
    await page.keyboard.press('End');
    const last = trace.at(-1)!;
    expect(await page.textContent('#step-pos')).toBe(`step ${trace.length} / ${trace.length}`);
    expect(await page.textContent('#step-info')).toBe(`${last.lane} (node): ${last.event} -> ${last.state}  [scenario step #${last.step}]`);
    const marked = trace.findIndex((s) => s.violation !== undefined);
    expect(marked).toBeGreaterThanOrEqual(0);
    expect(await page.locator('#steps li.violating-step').count()).toBe(trace.filter((s) => s.violation).length);
    await page.locator('#steps li').nth(marked).click();
    expect(await page.textContent('#step-violation')).toBe(`VIOLATION: ${trace[marked]!.violation}`);
    const lanes = await page.locator('#lanes .lane-chip').allTextContents();
    expect(lanes.map((l) => l.split(':')[0]).sort()).toEqual([...new Set(trace.slice(0, marked + 1).map((s) => s.lane))].sort());
    await page.keyboard.press('ArrowLeft');
    expect(await page.textContent("#step-pos")).toBe(`step ${Math.max(1, marked)} / ${trace.length}`);
    await shot(page, 'v24-explorer');
    await page.close();
  });

  test('no console errors and nothing but file: and data: requested', () => {
    expect(errors).toEqual([]);
    expect(requests.length).toBeGreaterThan(0);
    expect(requests.filter((url) => !/^(file|data):/.test(url))).toEqual([]);
  });
});
