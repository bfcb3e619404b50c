/*
 * Path generation reaches every state and transition: per profile all that the profile can reach
 * (the rest is exactly the other profile's rules), over both profiles all of every chart. The
 * self-loops @xstate/graph's generators skip are covered too.
 */
import { describe, expect, test } from 'vitest';
import { getShortestPaths } from '@xstate/graph';
import type { EventObject } from 'xstate';
import { chartTransitions } from './chartTransitions.js';
import { coveringPaths, modelCoverage, visitCountsOf } from './coveringPaths.js';
import { type AnySnapshot, MODEL_NAMES, MODELS } from './modelCatalog.js';
import { replayPath } from './replayPath.js';

const coverageOf = (() => {
  const cache = new Map<string, ReturnType<typeof modelCoverage>>();
  return (name: keyof typeof MODELS) => cache.get(name) ?? cache.set(name, modelCoverage(MODELS[name])).get(name)!;
})();

describe('coverage of the generated paths', () => {
  for (const name of MODEL_NAMES) {
    test(`${name}: 100% of states and transitions over both profiles, and of what each profile reaches`, () => {
      const { perProfile, overall } = coverageOf(name);
      for (const f of [...perProfile, overall]) {
        expect(f.states.visited).toBe(f.states.reachable);
        expect(f.transitions.visited).toBe(f.transitions.reachable);
      }
      expect([overall.states.visited, overall.transitions.visited]).toEqual([overall.states.total, overall.transitions.total]);
      expect(overall.unvisitedTransitions).toEqual([]);
    });
  }

  test('the node transitions 7.2 cannot take are exactly the v24 rules', () => {
    const [q72, v24] = coverageOf('node').perProfile;
    expect(q72!.unreachableTransitions).toEqual([
      'node.NONE --START [checkpointFaultEjectsDisk && !checksEjectedDisks]--> node.CRASHED',
      'node.NONE --CHECKPOINT [reachesUnlinkedSecondaryDisk]--> node.CRASHED',
      'node.RUNNING --CHECKPOINT [checkpointFaultEjectsDisk && !checksEjectedDisks]--> node.CRASHED',
      'node.FAILOVER --START--> node.FAILOVER',
      'node.FAILOVER --CHECKPOINT--> node.FAILOVER',
      'node.FAILOVER --GET_ERROR [getErrorOnlyWhileRunning]--> node.FAILOVER',
      'node.FAILOVER --STOP--> node.FAILOVER',
      'node.FAILOVER --CLOSE--> node.CLOSED',
      'node.FAILOVER_FAILED --GET_ERROR [getErrorOnlyWhileRunning]--> node.FAILOVER_FAILED',
      'node.DONE --START--> node.DONE',
      'node.DONE --CHECKPOINT [isPrimary]--> node.DONE',
      'node.DONE --CHECKPOINT [reachesUnlinkedSecondaryDisk]--> node.CRASHED',
      'node.DONE --CHECKPOINT--> node.DONE',
      'node.DONE --GET_ERROR [getErrorOnlyWhileRunning]--> node.DONE',
      'node.DONE --STOP--> node.DONE',
      'node.CLOSED --COMMIT_OK [hasCommitJob]--> node.CRASHED',
      'node.CLOSED --COMMIT_FAILED [hasCommitJob]--> node.CRASHED',
    ]);
    expect(v24!.unreachableTransitions).toEqual([
      'node.UNOPENED --OPEN [isPrimary && topIdGiven && !primaryAcceptsTopId]--> node.UNOPENED',
      'node.FAILOVER --START [ignoresRequestsAfterPromotion]--> node.FAILOVER',
      'node.FAILOVER --CHECKPOINT [ignoresRequestsAfterPromotion]--> node.FAILOVER',
      'node.FAILOVER --GET_ERROR--> node.FAILOVER',
      'node.FAILOVER --STOP [ignoresRequestsAfterPromotion]--> node.FAILOVER',
      'node.FAILOVER --CLOSE [closeCancelsCommit && hasCommitJob]--> node.CLOSED',
      'node.FAILOVER --CLOSE [closeCancelsCommit]--> node.CRASHED',
      'node.FAILOVER_FAILED --GET_ERROR--> node.FAILOVER_FAILED',
      'node.DONE --START [ignoresRequestsAfterPromotion]--> node.DONE',
      'node.DONE --CHECKPOINT [ignoresRequestsAfterPromotion]--> node.DONE',
      'node.DONE --GET_ERROR [hasReplicationError]--> node.DONE',
      'node.DONE --GET_ERROR--> node.DONE',
      'node.DONE --STOP [ignoresRequestsAfterPromotion]--> node.DONE',
    ]);
  });

  test('the pair reaches a secondary crash only under v24', () => {
    const [q72, v24] = coverageOf('pair').perProfile;
    expect(q72!.unreachableTransitions).toEqual([
      'pair.secondary --CHECKPOINT [isForSecondary && secondaryEnters(CRASHED)]--> pair.secondary.LOST',
      'pair.secondary --COLO_CHECKPOINT [secondaryEnters(CRASHED)]--> pair.secondary.LOST',
    ]);
    expect(v24!.unreachableTransitions).toEqual([]);
  });

  test('shortest paths alone miss self-loops; the added paths take them', () => {
    const spec = MODELS.node;
    const input = { mode: 'secondary', profile: 'qemu-7.2' };
    const options = { input, events: (s: AnySnapshot) => spec.events(s), serializeState: (s: AnySnapshot) => spec.serialize(s) };
    const shortest = getShortestPaths(spec.machine, options).map((p) => ({ model: 'node', profile: 'qemu-7.2' as const, input, events: p.steps.slice(1).map((s) => s.event as EventObject) }));
    const selfLoop = 'node.RUNNING --GET_ERROR--> node.RUNNING';
    expect(visitCountsOf(spec, shortest).transitions[selfLoop] ?? 0).toBe(0);
    const all = coveringPaths(spec, 'qemu-7.2').paths;
    expect(visitCountsOf(spec, all).transitions[selfLoop]).toBeGreaterThan(0);
  });

  test('generation is deterministic', () => {
    const once = JSON.stringify(coveringPaths(MODELS.pair, 'v24').paths);
    expect(JSON.stringify(coveringPaths(MODELS.pair, 'v24').paths)).toBe(once);
  });

  test('a replay names the chart transitions each event takes, one per parallel region', () => {
    const replay = replayPath(MODELS.pair.machine, { profile: 'qemu-7.2' }, [{ type: 'LINK_DOWN' }]);
    expect(replay.steps[0]!.transitions).toEqual([
      'pair.primary --LINK_DOWN--> pair.primary',
      'pair.secondary --LINK_DOWN--> pair.secondary',
      'pair.link.UP --LINK_DOWN--> pair.link.DOWN',
    ]);
    expect(replay.steps[0]!.states).toEqual(['pair.primary', 'pair.primary.NONE', 'pair.secondary', 'pair.secondary.NONE', 'pair.link', 'pair.link.DOWN']);
  });

  test('transition keys are unique and name their guard', () => {
    const keys = chartTransitions(MODELS.node.machine).map((t) => t.key);
    expect(new Set(keys).size).toBe(keys.length);
    expect(keys).toContain('node.UNOPENED --OPEN [isSecondary && !topIdGiven]--> node.UNOPENED');
    expect(keys).toContain('node.RUNNING --STOP [commitCannotStart]--> node.FAILOVER');
  });
});
