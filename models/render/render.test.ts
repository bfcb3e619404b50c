/*
 * Rendering: every state and transition appears in DOT, SVG (rendered in-process), Mermaid and the
 * HTML page; coverage colours never-visited items red and dashed, and the profile greys what it
 * cannot reach; the coverage and trace files are validated; the `chart` command's exit codes.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test, vi } from 'vitest';
import { main } from '../../src/cli/main.js';
import { chartStates, chartTransitions } from '../paths/chartTransitions.js';
import { reachableUnder } from '../paths/coveringPaths.js';
import { MODEL_NAMES, MODELS } from '../paths/modelCatalog.js';
import { replayPath } from '../paths/replayPath.js';
import type { NodeEvent } from '../replication/nodeEvents.js';
import { UNREACHABLE_COLOR, UNVISITED_COLOR, parseCoverage, visitStyle } from './coverageStyle.js';
import { renderChart } from './renderChart.js';
import { dotToSvg } from './renderSvg.js';
import { chartToDot, stateSvgId } from './toDot.js';
import { chartToMermaid } from './toMermaid.js';
import { parseTrace, traceOfReplay } from './trace.js';

describe('DOT and SVG', () => {
  for (const name of MODEL_NAMES) {
    test(`${name}: every state in DOT and SVG, every event in DOT, Graphviz without warnings`, async () => {
      const spec = MODELS[name];
      const { dot, ids } = chartToDot(spec);
      const { svg, warnings } = await dotToSvg(dot);
      for (const state of chartStates(spec.machine)) {
        expect(dot).toContain(`<B>${state.node.key}</B>`);
        expect(svg).toContain(`id="${stateSvgId(state.id)}"`);
      }
      for (const t of chartTransitions(spec.machine)) expect(dot).toContain(t.event);
      for (const id of Object.values(ids.transitions)) expect(svg).toContain(`id="${id}"`);
      expect(warnings).toEqual([]);
    });
  }

  test('coverage: a never-visited arrow is red and dashed with x0!, a visited one green with its count', () => {
    const spec = MODELS.commit;
    const dot = chartToDot(spec, { coverage: { states: {}, transitions: { 'commit.RUNNING --SYNCED--> commit.READY': 3 } } }).dot;
    const edge = (label: string) => dot.split('\n').find((l) => l.includes(`label=<${label}`))!;
    expect(edge('SYNCED')).toContain('color="#006d2c"');
    expect(edge('SYNCED')).toContain('x3');
    expect(edge('AUTO_COMPLETE')).toContain(`color="${UNVISITED_COLOR}"`);
    expect(edge('AUTO_COMPLETE')).toContain('style=dashed');
    expect(edge('AUTO_COMPLETE')).toContain('x0!');
    /* A never-visited stay is an underlined red event in its state's box. */
    expect(dot).toContain(`<FONT COLOR="${UNVISITED_COLOR}"><U>SOURCE_WRITE</U></FONT>`);
    /* A never-visited state gets a red dashed border. */
    expect(dot).toMatch(/"commit.COMPLETED" \[id="st_commit.COMPLETED", label=<<TABLE BORDER="2"[^>]*STYLE="ROUNDED,DASHED" COLOR="#d62728">/);
  });

  test('the profile greys out what it cannot reach (7.2: the v24 crashes)', () => {
    const dot = chartToDot(MODELS.node, { reachable: reachableUnder(MODELS.node, 'qemu-7.2') }).dot;
    const crash = dot.split('\n').find((l) => l.includes('label=<CHECKPOINT [reachesUnlinkedSecondaryDisk]') && l.startsWith('  "node.NONE"'))!;
    expect(crash).toContain(`color="${UNREACHABLE_COLOR}"`);
    expect(crash).toContain('style=dotted');
    const start = dot.split('\n').find((l) => l.includes('label=<START [isPrimary]'))!;
    expect(start).toContain('color="black"');
  });

  test('visitStyle: 0 visits is red unless unreachable, a visit beats unreachability', () => {
    expect(visitStyle(0, 10, true, true).visited).toBe('no');
    expect(visitStyle(undefined, 10, false, true).visited).toBe('unreachable');
    expect(visitStyle(2, 10, false, true).visited).toBe('yes');
    expect(visitStyle(10, 10, true, true).color).toBe('#006d2c');
    expect(visitStyle(3, 10, true, false).badge).toBe('');
  });
});

describe('Mermaid', () => {
  test('every state appears, stays go into notes, coverage classes mark unvisited states', () => {
    const spec = MODELS.pair;
    const text = chartToMermaid(spec, { coverage: { states: { 'pair.primary.NONE': 1 }, transitions: {} } });
    expect(text.startsWith('stateDiagram-v2\n')).toBe(true);
    for (const state of chartStates(spec.machine)) expect(text).toContain(`as ${state.id.replace(/\./g, '_')}`);
    expect(text).toContain('  pair_secondary_RUNNING --> pair_secondary_FAILOVER : STOP x0! [isForSecondary && secondaryEnters(FAILOVER)]');
    expect(text).toContain('  class pair_primary_NONE visited');
    expect(text).toContain('  class pair_secondary_FAILOVER_FAILED unvisited');
    expect(text).toContain('note right of pair_primary_LOST');
  });
});

describe('HTML page', () => {
  test('all charts inline, the trace embedded, nothing fetched from the network, ids unique', async () => {
    const events: NodeEvent[] = [
      { type: 'OPEN', topId: true },
      { type: 'START', mode: 'secondary' },
    ];
    const replay = replayPath(MODELS.node.machine, { mode: 'secondary', profile: 'qemu-7.2' }, events);
    const trace = traceOfReplay('node', replay);
    expect(trace).toEqual([
      { machine: 'node', state: 'UNOPENED' },
      { machine: 'node', state: 'NONE', event: 'OPEN(true)' },
      { machine: 'node', state: 'RUNNING', event: 'START(secondary)' },
    ]);
    const { text } = await renderChart({ format: 'html', profile: 'v24', trace });
    expect(text.match(/<svg /g)?.length).toBe(4);
    expect(text).toContain('"state":"RUNNING","event":"START(secondary)"');
    expect(text).not.toMatch(/(src|href)="https?:/);
    const ids = [...text.matchAll(/ id="([^"]+)"/g)].map((m) => m[1]);
    expect(ids.length).toBeGreaterThan(100);
    expect(new Set(ids).size).toBe(ids.length);
    for (const name of MODEL_NAMES) for (const state of chartStates(MODELS[name].machine)) expect(text).toContain(`id="${stateSvgId(state.id)}"`);
  });
});

describe('coverage and trace files', () => {
  test('coverage files must hold non-negative integer counts', () => {
    expect(parseCoverage({ states: { 'node.NONE': 2 }, transitions: {} })).toEqual({ states: { 'node.NONE': 2 }, transitions: {} });
    expect(() => parseCoverage([])).toThrow('coverage: must be an object with "states" and "transitions"');
    expect(() => parseCoverage({ states: { 'node.NONE': -1 } })).toThrow('coverage.states["node.NONE"]: must be an integer >= 0, got -1');
    expect(() => parseCoverage({ edges: {} })).toThrow('coverage: unknown field "edges"');
  });
  test('trace files are lists of {machine, state, event?}', () => {
    expect(parseTrace([{ machine: 'pair', state: ['primary.NONE', 'link.UP'] }])).toEqual([{ machine: 'pair', state: ['primary.NONE', 'link.UP'] }]);
    expect(() => parseTrace({})).toThrow('trace: must be a JSON array of steps');
    expect(() => parseTrace([{ machine: 'node' }])).toThrow('trace[0].state: must be a state path or a list of them');
    expect(() => parseTrace([{ machine: 'node', state: 'NONE', colour: 1 }])).toThrow('trace[0]: unknown field "colour"');
  });
  test('unknown coverage keys are reported as warnings', async () => {
    const { warnings } = await renderChart({ format: 'dot', profile: 'qemu-7.2', coverage: { states: { 'node.NOWHERE': 1 }, transitions: {} } });
    expect(warnings).toEqual(['coverage key names nothing in the charts: node.NOWHERE']);
  });
});

describe('colosim chart', () => {
  const dir = mkdtempSync(join(tmpdir(), 'colosim-chart-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  test('the default is the replication node as SVG', async () => {
    const out = join(dir, 'node.svg');
    expect(await main(['chart', '--out', out])).toBe(0);
    const svg = readFileSync(out, 'utf8');
    expect(svg).toContain('<svg');
    expect(svg).toContain('id="st_node.FAILOVER_FAILED"');
  });
  test('html with coverage and trace files', async () => {
    writeFileSync(join(dir, 'cov.json'), JSON.stringify({ states: { 'pair.link.UP': 4 }, transitions: {} }));
    writeFileSync(join(dir, 'trace.json'), JSON.stringify([{ machine: 'pair', state: ['link.DOWN'], event: 'LINK_DOWN' }]));
    const out = join(dir, 'page.html');
    expect(await main(['chart', '--format', 'html', '--machine', 'pair', '--coverage', join(dir, 'cov.json'), '--trace', join(dir, 'trace.json'), '--out', out])).toBe(0);
    expect(readFileSync(out, 'utf8')).toContain('"event":"LINK_DOWN"');
  });
  test('bad arguments and bad files exit with 2 and say why', async () => {
    writeFileSync(join(dir, 'bad.json'), '{"states": {"x": "many"}}');
    const stderr: string[] = [];
    const spy = vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => stderr.push(String(chunk)) > 0);
    try {
      for (const args of [
        ['chart', '--machine', 'nbd'],
        ['chart', '--format', 'png'],
        ['chart', '--profile', '8.0'],
        ['chart', '--trace', join(dir, 'trace.json')],
        ['chart', '--coverage', join(dir, 'bad.json')],
      ]) {
        expect(await main(args), args.join(' ')).toBe(2);
      }
    } finally {
      spy.mockRestore();
    }
    expect(stderr).toEqual([
      'colosim: chart: unknown machine "nbd" (expected node, pair, backup, commit)\n',
      'colosim: chart: unknown format "png" (expected svg, dot, mermaid, html)\n',
      'colosim: chart: unknown profile "8.0" (expected qemu-7.2, v24)\n',
      'colosim: chart: --trace needs --format html\n',
      `colosim: chart: ${join(dir, 'bad.json')}.states["x"]: must be an integer >= 0, got "many"\n`,
    ]);
  });
});
