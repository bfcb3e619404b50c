/*
 * A chart as Graphviz DOT, laid out for reading: each state is a box listing the transitions that
 * keep it where it is (one row per guard and action list, its events side by side), and only the
 * transitions that change state are arrows, labelled `EVENT [guard]` with their actions below.
 * Compound and parallel states are clusters whose label lists their own (region-level) rows, and
 * whose arrows leave from an "any state of ..." marker; the machine root's rows sit in an "in every
 * state" note. With coverage counts every state, row event
 * and arrow is coloured (coverageStyle.ts); transitions the chosen profile cannot reach are grey.
 * Text is Courier: Graphviz sizes boxes from a font's estimated metrics and every browser has a
 * monospace font of the same widths, so labels fit wherever the SVG is shown. SVG ids: states
 * `st_<state id>`, arrows `tr_<machine>_<n>`, rows `a_rw_<machine>_<n>` (Graphviz gives a row an
 * element only with a tooltip: the row's transition keys) (no `-`: Graphviz would escape it; see DotChart.ids).
 */
import type { AnyStateNode } from 'xstate';
import { type ChartTransition, chartStates, chartTransitions } from '../paths/chartTransitions.js';
import type { Reachable } from '../paths/coveringPaths.js';
import type { ModelSpec } from '../paths/modelCatalog.js';
import { type VisitCounts, type VisitStyle, visitStyle } from './coverageStyle.js';
import { groupRows, layoutTransitions } from './transitionRows.js';

export interface DotOptions {
  /** Visit counts to colour by (absent: no colouring). */
  readonly coverage?: VisitCounts;
  /** What the chosen profile can reach; anything else is drawn grey and dotted. */
  readonly reachable?: Reachable;
  /** Shown next to the title, e.g. the profile. */
  readonly subtitle?: string;
}

export interface DotChart {
  readonly dot: string;
  /** SVG element ids: state id -> id, transition key -> id (arrows only; rows highlight their state). */
  readonly ids: { readonly states: Record<string, string>; readonly transitions: Record<string, string> };
}

export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

const quote = (text: string) => `"${text.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
export const stateSvgId = (stateId: string) => `st_${stateId.replace(/[^A-Za-z0-9_.]/g, '_')}`;
const clusterName = (stateId: string) => `cluster_${stateId.replace(/[^A-Za-z0-9_]/g, '_')}`;
const isCluster = (node: AnyStateNode) => node.type === 'compound' || node.type === 'parallel';

/** The first atomic or final state inside a node (where arrows to or from its cluster attach). */
function anchorOf(node: AnyStateNode): AnyStateNode {
  const children = Object.values(node.states) as AnyStateNode[];
  if (children.length === 0) return node;
  const initial = node.type === 'compound' && node.config.initial ? node.states[String(node.config.initial)] : undefined;
  return anchorOf(initial ?? children[0]!);
}

export interface Painter {
  state(id: string): VisitStyle;
  transition(key: string): VisitStyle;
}

/** Visit styles of the chart's states and transitions from the coverage (and reachability) in `options`. */
export function painter(spec: ModelSpec, options: DotOptions, transitions: readonly ChartTransition[]): Painter {
  const coverage = options.coverage;
  const states = chartStates(spec.machine);
  const maxOf = (values: number[]) => Math.max(1, ...values);
  const maxState = maxOf(states.map((s) => coverage?.states[s.id] ?? 0));
  const maxTransition = maxOf(transitions.map((t) => coverage?.transitions[t.key] ?? 0));
  const reachable = options.reachable;
  return {
    state: (id) => visitStyle(coverage?.states[id], maxState, reachable ? reachable.states.has(id) : true, coverage !== undefined),
    transition: (key) => visitStyle(coverage?.transitions[key], maxTransition, reachable ? reachable.transitions.has(key) : true, coverage !== undefined),
  };
}

function badge(style: VisitStyle): string {
  return style.badge ? ` <FONT POINT-SIZE="9" COLOR="${style.color}">${escapeHtml(style.badge)}</FONT>` : '';
}

function actionsText(actions: readonly string[]): string {
  return actions.length ? `<FONT POINT-SIZE="9" COLOR="#555555">/ ${escapeHtml(actions.join(', '))}</FONT>` : '';
}

/** Names a row's cell and records it as the SVG element of each of its transitions; returns the cell's ID. */
type RowId = (group: readonly ChartTransition[]) => string;

/** Rows for transitions that stay in their state: grouped by (guard, actions), events side by side. */
function rows(stays: readonly ChartTransition[], paint: Painter, rowId: RowId): string[] {
  return groupRows(stays).map((group) => {
    const events = group.map((t) => {
      const style = paint.transition(t.key);
      return `<FONT COLOR="${style.color}">${style.visited === 'no' ? '<U>' : ''}${escapeHtml(t.event)}${style.visited === 'no' ? '</U>' : ''}</FONT>${badge(style)}`;
    });
    const guard = group[0]!.guard ? ` <I>[${escapeHtml(group[0]!.guard)}]</I>` : '';
    const tooltip = escapeHtml(group.map((t) => t.key).join('\n'));
    return `<TR><TD ALIGN="LEFT" BALIGN="LEFT" ID="${rowId(group)}" TOOLTIP="${tooltip}">${events.join(' ')}${guard} ${actionsText(group[0]!.actions)}</TD></TR>`;
  });
}

function stateTable(node: AnyStateNode, stays: readonly ChartTransition[], paint: Painter, rowId: RowId): string {
  const style = paint.state(node.id);
  const name = `<B>${escapeHtml(node.key)}</B>${node.type === 'final' ? ' <I>(final)</I>' : ''}${badge(style)}`;
  const description = node.description ? `<TR><TD ALIGN="LEFT"><FONT POINT-SIZE="9"><I>${escapeHtml(node.description)}</I></FONT></TD></TR>` : '';
  const border = style.style === 'solid' ? 'ROUNDED' : `ROUNDED,${style.style.toUpperCase()}`;
  const width = style.penwidth > 1.5 ? 2 : 1;
  return `<TABLE BORDER="${width}" CELLBORDER="0" CELLSPACING="0" CELLPADDING="3" STYLE="${border}" COLOR="${style.color}"><TR><TD>${name}</TD></TR>${description}${rows(stays, paint, rowId).join('')}</TABLE>`;
}

export function chartToDot(spec: ModelSpec, options: DotOptions = {}): DotChart {
  const machine = spec.machine;
  const transitions = chartTransitions(machine);
  const paint = painter(spec, options, transitions);
  const { stays: staysBySource, moves } = layoutTransitions(transitions);
  const rootStays = staysBySource.get(machine.root.id) ?? [];
  const ids = { states: {} as Record<string, string>, transitions: {} as Record<string, string> };
  const lines: string[] = [];
  let rowCount = 0;
  const rowId: RowId = (group) => {
    const id = `rw_${machine.id}_${rowCount++}`;
    for (const t of group) ids.transitions[t.key] = `a_${id}`;
    return id;
  };
  const emit = (node: AnyStateNode, indent: string) => {
    const stays = staysBySource.get(node.id) ?? [];
    ids.states[node.id] = stateSvgId(node.id);
    if (isCluster(node)) {
      const style = paint.state(node.id);
      lines.push(`${indent}subgraph ${quote(clusterName(node.id))} {`);
      lines.push(`${indent}  id=${quote(stateSvgId(node.id))}; fontsize=11; color=${quote(style.color)}; style=${quote(style.style === 'solid' ? 'rounded' : `rounded,${style.style}`)}; penwidth=${style.penwidth.toFixed(2)};`);
      const regionRows = rows(stays, paint, rowId).join('');
      const kind = node.type === 'parallel' ? ' <I>(parallel regions)</I>' : '';
      lines.push(`${indent}  label=<<TABLE BORDER="0" CELLSPACING="0" CELLPADDING="2"><TR><TD><B>${escapeHtml(node.key)}</B>${kind}${badge(style)}</TD></TR>${regionRows}</TABLE>>;`);
      emitChildren(node, `${indent}  `);
      lines.push(`${indent}}`);
    } else {
      const style = paint.state(node.id);
      lines.push(`${indent}${quote(node.id)} [id=${quote(stateSvgId(node.id))}, label=<${stateTable(node, stays, paint, rowId)}>, color=${quote(style.color)}];`);
    }
  };
  const movesFromCluster = new Set(moves.map((t) => t.source));
  const emitChildren = (node: AnyStateNode, indent: string) => {
    if (movesFromCluster.has(node.id) && !(node === machine.root && rootStays.length)) lines.push(`${indent}${quote(`${node.id}.__any`)} [shape=plaintext, fontsize=9, label=<<I>any state of ${escapeHtml(node.key)}</I>>];`);
    if (node.type === 'compound' && node.config.initial) {
      const start = `${node.id}.__initial`;
      lines.push(`${indent}${quote(start)} [shape=point, width=0.12, label=""];`);
      lines.push(`${indent}${quote(start)} -> ${quote(anchorOf(node.states[String(node.config.initial)]!).id)};`);
    }
    for (const child of Object.values(node.states) as AnyStateNode[]) emit(child, indent);
  };
  const title = `<B>${escapeHtml(spec.title)}</B>${options.subtitle ? ` - ${escapeHtml(options.subtitle)}` : ''}`;
  lines.push(`digraph ${quote(machine.id)} {`);
  lines.push(`  graph [compound=true, rankdir=TB, newrank=true, nodesep=0.35, ranksep=0.55, fontname="Courier", labelloc=t, label=<${title}${legend(options)}>];`);
  lines.push('  node [shape=plain, fontname="Courier", fontsize=11];');
  lines.push('  edge [fontname="Courier", fontsize=10, arrowsize=0.7];');
  if (rootStays.length) {
    lines.push(`  "${machine.id}.__any" [label=<<TABLE BORDER="1" CELLBORDER="0" CELLSPACING="0" CELLPADDING="3" STYLE="DASHED" COLOR="#777777"><TR><TD><I>in every state, unless the state handles the event</I></TD></TR>${rows(rootStays, paint, rowId).join('')}</TABLE>>];`);
  }
  emitChildren(machine.root, '  ');
  moves.forEach((t, index) => {
    const id = `tr_${machine.id}_${index}`;
    ids.transitions[t.key] = id;
    const source = t.definition.source;
    const target = t.definition.target![0]!;
    const style = paint.transition(t.key);
    const label = `${escapeHtml(t.event)}${t.guard ? ` [${escapeHtml(t.guard)}]` : ''}${badge(style)}${t.actions.length ? `<BR/>${actionsText(t.actions)}` : ''}`;
    const attrs = [`id=${quote(id)}`, `label=<${label}>`, `color=${quote(style.color)}`, `fontcolor=${quote(style.color)}`, `style=${style.style}`, `penwidth=${style.penwidth.toFixed(2)}`];
    /* A transition of a compound state leaves from its "any state" marker; one into a compound state ends at its border. */
    const tail = isCluster(source) || source === machine.root ? `${source.id}.__any` : source.id;
    if (isCluster(target) && !target.id.startsWith(`${source.id}.`)) attrs.push(`lhead=${quote(clusterName(target.id))}`);
    lines.push(`  ${quote(tail)} -> ${quote(anchorOf(target).id)} [${attrs.join(', ')}];`);
  });
  lines.push('}');
  return { dot: `${lines.join('\n')}\n`, ids };
}

function legend(options: DotOptions): string {
  if (!options.coverage) return options.reachable ? '<BR/><FONT POINT-SIZE="9" COLOR="#9a9a9a">grey dotted: not reachable under this profile</FONT>' : '';
  return '<BR/><FONT POINT-SIZE="9">coverage: <FONT COLOR="#006d2c">green xN visited (darker = more)</FONT>, <FONT COLOR="#d62728">red dashed underlined x0! never visited</FONT>, <FONT COLOR="#9a9a9a">grey dotted n/a unreachable under this profile or never driven by campaigns</FONT></FONT>';
}
