/*
 * What a campaign's coverage can and cannot show. The engine opens every replication node exactly
 * once, as the pair is built, with the command lines of the reference (top-id on the secondary only),
 * so a campaign never sends an event to an UNOPENED node, never opens a node twice and never opens a
 * primary with a top-id: those transitions of the node chart are reachable in the chart but outside
 * any campaign. The opening itself is counted as visited for every node (NodeConformance), so it is
 * not in this set's effect: a visit always wins over being out of scope.
 */
import type { Reachable } from './coveringPaths.js';

/** Whether a transition key lies outside what campaigns drive (node chart: UNOPENED and OPEN). */
export function outsideCampaigns(transitionKey: string): boolean {
  return transitionKey.startsWith('node.UNOPENED ') || transitionKey.includes(' --OPEN');
}

/** Reachability as a campaign's coverage should be judged: without the transitions campaigns never drive. */
export function campaignReachable(reachable: Reachable): Reachable {
  return { ...reachable, transitions: new Set([...reachable.transitions].filter((k) => !outsideCampaigns(k))) };
}
