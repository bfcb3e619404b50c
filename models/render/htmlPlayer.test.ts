/*
 * The HTML page's trace player in a real browser (Debian's chromium through playwright-core):
 * stepping highlights the states of the current step and nothing is fetched from the network.
 * Skipped where chromium is not installed, unless CI=true (CI installs it).
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { expect, test } from 'vitest';
import { renderChart } from './renderChart.js';

const CHROMIUM = '/usr/bin/chromium';
const browserTest = existsSync(CHROMIUM) || process.env.CI === 'true' ? test : test.skip;

browserTest('stepping through a trace highlights its states', async () => {
  const trace = [
    { machine: 'pair', state: ['primary.NONE', 'secondary.NONE', 'link.UP'] },
    { machine: 'pair', state: ['primary.NONE', 'secondary.RUNNING', 'link.UP'], event: 'START(secondary)' },
    { machine: 'node', state: 'FAILOVER', event: 'STOP(true)' },
  ];
  const { text } = await renderChart({ format: 'html', profile: 'qemu-7.2', trace });
  const dir = mkdtempSync(join(tmpdir(), 'colosim-html-'));
  const file = join(dir, 'charts.html');
  writeFileSync(file, text);
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  try {
    const page = await browser.newPage();
    const requests: string[] = [];
    page.on('request', (r) => requests.push(r.url()));
    await page.goto(`file://${file}`);
    const active = async () => (await page.$$eval('.active-state', (elements) => elements.map((e) => (e as { id: string }).id))).sort();
    expect(await active()).toEqual(['st_pair.link.UP', 'st_pair.primary.NONE', 'st_pair.secondary.NONE']);
    await page.keyboard.press('ArrowRight');
    expect(await active()).toEqual(['st_pair.link.UP', 'st_pair.primary.NONE', 'st_pair.secondary.RUNNING']);
    expect(await page.textContent('#step-info')).toBe('pair: START(secondary) -> primary.NONE, secondary.RUNNING, link.UP');
    await page.click('#last');
    expect([await active(), await page.textContent('#step-pos')]).toEqual([['st_node.FAILOVER'], 'step 3 / 3']);
    await page.click('#first');
    expect(await page.textContent('#step-pos')).toBe('step 1 / 3');
    expect(requests).toEqual([`file://${file}`]);
  } finally {
    await browser.close();
    rmSync(dir, { recursive: true, force: true });
  }
}, 60_000);
