/*
 * Every state and every transition of a chart, read from the machine definition, each with a stable
 * key used by coverage files and renderers:
 *   state:      `<machine>.<path>`                      e.g. `node.RUNNING`, `pair.secondary.FAILOVER`
 *   transition: `<source> --<EVENT> [<guard>]--> <target>` e.g. `node.RUNNING --CHECKPOINT [isPrimary]--> node.RUNNING`
 * The guard part is left out when the transition has none; a targetless transition names its own
 * source as target. Each guarded candidate of an event is its own transition. Guards print as their
 * names, with `&&`, `!` and parameters in parentheses: `isForPrimary && primaryEnters(RUNNING)`.
 */
import type { AnyStateMachine, AnyStateNode, AnyTransitionDefinition } from 'xstate';

export interface ChartState {
  readonly id: string;
  /** The path below the machine root: `RUNNING`, `secondary.FAILOVER`. */
  readonly path: string;
  readonly type: string;
  readonly description?: string;
  readonly node: AnyStateNode;
}

export interface ChartTransition {
  readonly key: string;
  readonly source: string;
  readonly event: string;
  readonly guard?: string;
  readonly target: string;
  /** No target: the state stays, no exit or entry. */
  readonly targetless: boolean;
  readonly actions: readonly string[];
  readonly definition: AnyTransitionDefinition;
}

export function chartStates(machine: AnyStateMachine): ChartState[] {
  const out: ChartState[] = [];
  const walk = (node: AnyStateNode) => {
    for (const child of Object.values(node.states) as AnyStateNode[]) {
      out.push({ id: child.id, path: child.path.join('.'), type: child.type, ...(child.description ? { description: child.description } : {}), node: child });
      walk(child);
    }
  };
  walk(machine.root);
  return out;
}

/** All transitions, in document order (root first, then each state depth-first). */
export function chartTransitions(machine: AnyStateMachine): ChartTransition[] {
  const out: ChartTransition[] = [];
  const seen = new Set<string>();
  const walk = (node: AnyStateNode) => {
    const definitions = [...node.transitions.values()].flat();
    for (const definition of [...definitions, ...(node.always ?? [])]) {
      const transition = describeTransition(definition);
      if (seen.has(transition.key)) throw new Error(`two transitions share the key ${transition.key}`);
      seen.add(transition.key);
      out.push(transition);
    }
    for (const child of Object.values(node.states) as AnyStateNode[]) walk(child);
  };
  walk(machine.root);
  return out;
}

/**
 * Each transition definition's description, made once: a definition is the machine's own immutable
 * object, and a campaign's chart followers describe the transitions they take on every answer they
 * compute (the backup job's copied clusters make most answers new), which cost 2 % of a campaign.
 */
const described = new WeakMap<AnyTransitionDefinition, ChartTransition>();

export function describeTransition(definition: AnyTransitionDefinition): ChartTransition {
  let transition = described.get(definition);
  if (transition === undefined) described.set(definition, (transition = describeOnce(definition)));
  return transition;
}

function describeOnce(definition: AnyTransitionDefinition): ChartTransition {
  const source = definition.source.id;
  const targets = definition.target ?? [];
  const target = targets.length === 0 ? source : targets.map((t) => t.id).join(',');
  const event = definition.eventType === '' ? 'always' : String(definition.eventType);
  const guard = definition.guard === undefined ? undefined : guardLabel(definition.guard);
  const key = `${source} --${event}${guard ? ` [${guard}]` : ''}--> ${target}`;
  return { key, source, event, ...(guard ? { guard } : {}), target, targetless: targets.length === 0, actions: definition.actions.map(actionLabel), definition };
}

/** A guard as text: named guards by name, parameters in parentheses, and/or/not as operators. */
export function guardLabel(guard: unknown, nested = false): string {
  if (typeof guard === 'string') return guard;
  if (typeof guard === 'function') {
    const combined = (guard as { guards?: unknown[] }).guards;
    if (!combined) return guard.name || 'inline';
    if (guard.name === 'not') return `!${guardLabel(combined[0], true)}`;
    const text = combined.map((g) => guardLabel(g, true)).join(guard.name === 'or' ? ' || ' : ' && ');
    return nested ? `(${text})` : text;
  }
  if (guard && typeof guard === 'object' && 'type' in guard) {
    const { type, params } = guard as { type: string; params?: Record<string, unknown> };
    return params ? `${type}(${Object.values(params).map(String).join(', ')})` : type;
  }
  return String(guard);
}

/** An action as text: its name, with parameters in parentheses (strings quoted). */
export function actionLabel(action: unknown): string {
  if (typeof action === 'string') return action;
  if (action && typeof action === 'object' && 'type' in action) {
    const { type, params } = action as { type: string; params?: Record<string, unknown> };
    if (!params) return type;
    return `${type}(${Object.values(params).map((v) => (typeof v === 'string' && !/^[a-z]+$/.test(v) ? JSON.stringify(v) : String(v))).join(', ')})`;
  }
  if (typeof action === 'function') return action.name || 'inline';
  return String(action);
}

/** The ids of the active state nodes of a state value (`{ primary: 'RUNNING' }` -> pair.primary, pair.primary.RUNNING). */
export function activeStateIds(machineId: string, value: unknown): string[] {
  if (typeof value === 'string') return [`${machineId}.${value}`];
  const out: string[] = [];
  for (const [key, child] of Object.entries(value as Record<string, unknown>)) {
    out.push(`${machineId}.${key}`);
    out.push(...activeStateIds(`${machineId}.${key}`, child));
  }
  return out;
}
