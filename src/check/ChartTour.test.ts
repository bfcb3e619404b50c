/*
 * The pair and job charts' coverage a checked run records (ChartTour) and the opening every node
 * goes through: a run's pair visits are those of replaying the same pair events through the chart
 * with the models' own replayPath, and the jobs take the transitions their trace events name.
 */
import { describe, expect, test } from 'vitest';
import type { PairEvent } from '../../models/colo/pairEvents.js';
import { MODELS } from '../../models/paths/modelCatalog.js';
import { addVisits, emptyVisitCounts, replayPath } from '../../models/paths/replayPath.js';
import { parseScenario } from '../scenario/parseScenario.js';
import { pairEventsOf } from './ChartTour.js';
import { checkScenario } from './checkScenario.js';

const scenario = parseScenario({
  colosim: 1,
  name: 'tour',
  disk: { size: 262144, pattern: 17 },
  steps: [
    { do: 'start', side: 'both' },
    { do: 'write', vm: 'primary', offset: 0, length: 4096, pattern: 34 },
    { do: 'checkpoint', side: 'both' },
    { do: 'failover' },
  ],
});

const only = (map: ReadonlyMap<string, number>, chart: string) => Object.fromEntries([...map].filter(([k]) => k.startsWith(`${chart}.`)));

describe('chart tour', () => {
  test('steps become the pair chart events their scenario names', () => {
    expect(pairEventsOf({ do: 'start', side: 'both' })).toEqual([{ type: 'START', side: 'secondary' }, { type: 'START', side: 'primary' }]);
    expect(pairEventsOf({ do: 'checkpoint', side: 'both' })).toEqual([{ type: 'COLO_CHECKPOINT' }]);
    expect(pairEventsOf({ do: 'failover' })).toEqual([{ type: 'FAILOVER', lost: 'primary' }]);
    expect(pairEventsOf({ do: 'concurrent', steps: [{ do: 'read', vm: 'secondary', offset: 0, length: 512 }, { do: 'flush', vm: 'primary' }] })).toEqual([{ type: 'READ', vm: 'secondary' }]);
  });

  test('a run counts the pair chart as replaying its events does, the jobs by their trace, and every node opening', async () => {
    const { coverage } = await checkScenario(scenario, {}, { spec: 'qemu-7.2' });
    const events: PairEvent[] = [
      { type: 'START', side: 'secondary' },
      { type: 'START', side: 'primary' },
      { type: 'WRITE', vm: 'primary' },
      { type: 'COLO_CHECKPOINT' },
      { type: 'FAILOVER', lost: 'primary' },
      // The failover's commit job completes: the secondary's region leaves FAILOVER.
      { type: 'COMMIT_OK' },
    ];
    const replay = replayPath(MODELS.pair.machine, { profile: 'qemu-7.2' }, events);
    const expected = addVisits(emptyVisitCounts(), replay);
    expect(only(coverage.transitions, 'pair')).toEqual(expected.transitions);
    expect(only(coverage.states, 'pair')['pair.secondary.DONE']).toBe(1);
    expect(only(coverage.transitions, 'backup')).toEqual({
      // start() re-arms the bitmap once (the initial checkpoint), the COLO checkpoint once more.
      'backup.RUNNING.ALL_ARMED --CHECKPOINT--> backup.RUNNING.ALL_ARMED': 1,
      'backup.RUNNING.ALL_ARMED --SOURCE_WRITE--> backup.RUNNING.SOME_COPIED': 1,
      'backup.RUNNING.SOME_COPIED --CHECKPOINT--> backup.RUNNING.ALL_ARMED': 1,
      'backup.RUNNING --CANCEL--> backup.CANCELLED': 1,
    });
    expect(only(coverage.transitions, 'commit')).toEqual({ 'commit.RUNNING --SYNCED--> commit.READY': 1, 'commit.READY --AUTO_COMPLETE--> commit.COMPLETED': 1 });
    // Both nodes were opened (the secondary with top-id) before the first step.
    expect(coverage.states.get('node.UNOPENED')).toBe(2);
    expect(coverage.transitions.get('node.UNOPENED --OPEN--> node.NONE')).toBe(2);
  });
});
