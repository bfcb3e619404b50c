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
import { UNREACHABLE_COLOR, UNVISITED_COLOR, coverageByChart, parseCoverage, sumCoverage, visitStyle } from './coverageStyle.js';
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
      { machine: 'node', state: 'NONE', event: 'OPEN(true)', transitions: ['node.UNOPENED --OPEN--> node.NONE'] },
      { machine: 'node', state: 'RUNNING', event: 'START(secondary)', transitions: ['node.NONE --START--> node.RUNNING'] },
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
  test('coverage grouped by chart (what campaigns write) reads as the same counts, and files merge by summing', () => {
    const grouped = { node: { states: { 'node.NONE': 2 }, transitions: {} }, pair: { states: { 'pair.link.UP': 1 }, transitions: { 'pair.link.UP --LINK_DOWN--> pair.link.DOWN': 3 } } };
    expect(parseCoverage(grouped)).toEqual({ states: { 'node.NONE': 2, 'pair.link.UP': 1 }, transitions: { 'pair.link.UP --LINK_DOWN--> pair.link.DOWN': 3 } });
    expect(coverageByChart(parseCoverage(grouped))).toEqual(grouped);
    expect(sumCoverage({ states: { 'node.NONE': 2 }, transitions: {} }, { states: { 'node.NONE': 5, 'node.DONE': 1 }, transitions: { t: 1 } })).toEqual({ states: { 'node.NONE': 7, 'node.DONE': 1 }, transitions: { t: 1 } });
    expect(() => parseCoverage({ node: { states: {} }, nodes: {} })).toThrow('coverage: unknown field "nodes" (expected "states" and "transitions", or counts by chart: node, pair, backup, commit)');
    expect(() => parseCoverage({ pair: { states: { 'pair.link.UP': 1.5 } } })).toThrow('coverage.pair.states["pair.link.UP"]: must be an integer >= 0, got 1.5');
  });
  test('a chart the coverage file has no counts for is drawn uncoloured, with a warning, not all red', async () => {
    const coverage = { states: { 'node.NONE': 1 }, transitions: {} };
    const pair = await renderChart({ format: 'dot', machine: 'pair', profile: 'qemu-7.2', coverage });
    expect(pair.warnings).toEqual(['the coverage file has no counts for the pair chart: drawn without coverage colours']);
    expect(pair.text).not.toContain('x0!');
    const node = await renderChart({ format: 'dot', machine: 'node', profile: 'qemu-7.2', coverage });
    expect(node.warnings).toEqual([]);
    expect(node.text).toContain('x0!');
  });
  test('with coverage, what no campaign drives (UNOPENED, OPEN) is grey n/a, not a red gap', async () => {
    const coverage = { states: { 'node.UNOPENED': 4, 'node.NONE': 4 }, transitions: { 'node.UNOPENED --OPEN--> node.NONE': 4 } };
    const { text } = await renderChart({ format: 'mermaid', machine: 'node', profile: 'qemu-7.2', coverage });
    expect(text).toContain('  node_UNOPENED --> node_NONE : OPEN x4\n');
    expect(text).toContain("    OPEN n/a [isSecondary && !topIdGiven] / reject('Missing the option top-id')\n");
    expect(text).toContain('    START n/a CHECKPOINT n/a GET_ERROR n/a STOP n/a READ n/a WRITE n/a BACKUP_JOB_FAILED n/a COMMIT_OK n/a COMMIT_FAILED n/a CLOSE n/a / recordAbsent\n');
    expect(text).toContain('class node_UNOPENED visited');
  });
  test('trace files are lists of {machine, state, event?}', () => {
    expect(parseTrace([{ machine: 'pair', state: ['primary.NONE', 'link.UP'] }])).toEqual([{ machine: 'pair', state: ['primary.NONE', 'link.UP'] }]);
    expect(() => parseTrace({})).toThrow('trace: must be a JSON array of steps');
    expect(() => parseTrace([{ machine: 'node' }])).toThrow('trace[0].state: must be a state path or a list of them');
    expect(() => parseTrace([{ machine: 'node', state: 'NONE', colour: 1 }])).toThrow('trace[0]: unknown field "colour"');
    const laned = { machine: 'node', state: 'DONE', event: 'STOP(false)', lane: 'replication-secondary', step: 1, transitions: ['node.RUNNING --STOP [!isFailover]--> node.DONE'], violation: 'x' };
    expect(parseTrace([laned])).toEqual([laned]);
    expect(() => parseTrace([{ ...laned, step: -1 }])).toThrow('trace[0].step: must be a scenario step number (an integer >= 0)');
    expect(() => parseTrace([{ ...laned, transitions: 'k' }])).toThrow('trace[0].transitions: must be a list of transition keys');
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
      'colosim: chart: unknown profile "8.0" (expected qemu-7.2, qemu-10.0.2, v24)\n',
      'colosim: chart: --trace needs --format html\n',
      `colosim: chart: ${join(dir, 'bad.json')}.states["x"]: must be an integer >= 0, got "many"\n`,
    ]);
  });
});
