/*
 * A chart as a Mermaid stateDiagram-v2, for Markdown viewers. Transitions that change state are
 * arrows labelled `EVENT [guard]`; those that keep a state where it is are listed, with their
 * actions, in a note next to it, as in the DOT rendering. Parallel regions are separated by `--`.
 * Mermaid cannot colour arrows, so coverage counts go into the labels (`x3`, `x0!`, `n/a`) and states
 * get the classes `visited`, `unvisited` (red, dashed) or `unreachable` (grey).
 */
import type { AnyStateNode } from 'xstate';
import { type ChartTransition, chartStates, chartTransitions } from '../paths/chartTransitions.js';
import type { ModelSpec } from '../paths/modelCatalog.js';
import { type DotOptions, painter } from './toDot.js';
import { groupRows, layoutTransitions } from './transitionRows.js';

const idOf = (stateId: string) => stateId.replace(/[^A-Za-z0-9_]/g, '_');
/* Mermaid reads `:` as the label separator and `;`/`#` as syntax: keep labels to safe characters. */
const text = (s: string) => s.replace(/[;#]/g, ',').replace(/"/g, "'").replace(/:/g, ' -');
const isComposite = (node: AnyStateNode) => node.type === 'compound' || node.type === 'parallel';

export function chartToMermaid(spec: ModelSpec, options: DotOptions = {}): string {
  const machine = spec.machine;
  const transitions = chartTransitions(machine);
  const states = chartStates(machine);
  const { stays, moves } = layoutTransitions(transitions);
  const coverage = options.coverage;
  const paint = painter(spec, options, transitions);
  const badgeOf = (t: ChartTransition) => paint.transition(t.key).badge;
  const withBadge = (t: ChartTransition) => (badgeOf(t) ? `${t.event} ${badgeOf(t)}` : t.event);
  const lines: string[] = ['stateDiagram-v2', `  %% ${text(spec.title)}${options.subtitle ? ` (${text(options.subtitle)})` : ''}`];
  const note = (sourceId: string, target: string, indent: string) => {
    const rows = groupRows(stays.get(sourceId) ?? []);
    if (!rows.length) return;
    lines.push(`${indent}note right of ${target}`);
    for (const group of rows) {
      const first = group[0]!;
      lines.push(`${indent}  ${text(`${group.map(withBadge).join(' ')}${first.guard ? ` [${first.guard}]` : ''}${first.actions.length ? ` / ${first.actions.join(', ')}` : ''}`)}`);
    }
    lines.push(`${indent}end note`);
  };
  const composites = new Set(states.filter((s) => isComposite(s.node)).map((s) => s.id));
  const emit = (node: AnyStateNode, indent: string) => {
    const children = Object.values(node.states) as AnyStateNode[];
    if (!isComposite(node)) {
      lines.push(`${indent}state "${text(node.key)}" as ${idOf(node.id)}`);
      note(node.id, idOf(node.id), indent);
      return;
    }
    const inner = `${indent}  `;
    lines.push(`${indent}state "${text(node === machine.root ? machine.id : node.key)}" as ${idOf(node.id)} {`);
    const any = `${idOf(node.id)}__any`;
    if (moves.some((t) => t.source === node.id) || stays.has(node.id)) lines.push(`${inner}state "${node === machine.root ? 'in every state' : `any state of ${text(node.key)}`}" as ${any}`);
    note(node.id, any, inner);
    if (node.type === 'compound' && node.config.initial) lines.push(`${inner}[*] --> ${idOf(node.states[String(node.config.initial)]!.id)}`);
    children.forEach((child, i) => {
      if (node.type === 'parallel' && i > 0) lines.push(`${inner}--`);
      emit(child, inner);
    });
    lines.push(`${indent}}`);
  };
  if (machine.root.type === 'parallel') emit(machine.root, '  ');
  else {
    if (stays.has(machine.root.id)) {
      lines.push(`  state "in every state" as ${idOf(machine.root.id)}__any`);
      note(machine.root.id, `${idOf(machine.root.id)}__any`, '  ');
    }
    if (machine.root.config.initial) lines.push(`  [*] --> ${idOf(machine.root.states[String(machine.root.config.initial)]!.id)}`);
    for (const child of Object.values(machine.root.states) as AnyStateNode[]) emit(child, '  ');
  }
  for (const t of moves) {
    const from = composites.has(t.source) || t.source === machine.root.id ? `${idOf(t.source)}__any` : idOf(t.source);
    lines.push(`  ${from} --> ${idOf(t.definition.target![0]!.id)} : ${text(`${withBadge(t)}${t.guard ? ` [${t.guard}]` : ''}`)}`);
  }
  if (coverage || options.reachable) {
    lines.push('  classDef visited stroke:#006d2c,stroke-width:2px');
    lines.push('  classDef unvisited stroke:#d62728,stroke-width:2px,stroke-dasharray:5 5');
    lines.push('  classDef unreachable stroke:#9a9a9a,color:#9a9a9a,stroke-dasharray:2 2');
    const classes = { yes: 'visited', no: 'unvisited', unreachable: 'unreachable', unknown: '' } as const;
    for (const s of states) {
      const style = paint.state(s.id);
      if (classes[style.visited]) lines.push(`  class ${idOf(s.id)} ${classes[style.visited]}`);
    }
  }
  return `${lines.join('\n')}\n`;
}
