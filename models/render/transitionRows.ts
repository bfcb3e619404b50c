/*
 * How renderers lay out a chart's transitions: those that keep their state ("stays": targetless or
 * back to the source) are rows inside the state, grouped by guard and actions with their events side
 * by side; those that change state ("moves") are arrows.
 */
import type { ChartTransition } from '../paths/chartTransitions.js';

export interface TransitionLayout {
  /** Stays by source state id, in chart order. */
  readonly stays: ReadonlyMap<string, readonly ChartTransition[]>;
  readonly moves: readonly ChartTransition[];
}

export function layoutTransitions(transitions: readonly ChartTransition[]): TransitionLayout {
  const stays = new Map<string, ChartTransition[]>();
  const moves: ChartTransition[] = [];
  for (const t of transitions) {
    if (t.target === t.source) stays.set(t.source, [...(stays.get(t.source) ?? []), t]);
    else moves.push(t);
  }
  return { stays, moves };
}

/** Stays with the same guard and actions, in order of first appearance: one row each. */
export function groupRows(stays: readonly ChartTransition[]): ChartTransition[][] {
  const groups = new Map<string, ChartTransition[]>();
  for (const t of stays) {
    const key = `${t.guard ?? ''}\u0000${t.actions.join(',')}`;
    groups.set(key, [...(groups.get(key) ?? []), t]);
  }
  return [...groups.values()];
}
