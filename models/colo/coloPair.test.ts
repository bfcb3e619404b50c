/* The COLO pair chart: regions follow their nodes, the link, failover, and what each side answers. */
import { describe, expect, test } from 'vitest';
import { type SnapshotFrom, initialTransition, transition } from 'xstate';
import type { Profile } from '../../src/scenario/Scenario.js';
import { MODEL_PROFILES } from '../replication/profiles.js';
import { coveringPaths } from '../paths/coveringPaths.js';
import { MODELS } from '../paths/modelCatalog.js';
import { formatOutcome } from '../replication/Outcome.js';
import { coloPair } from './coloPair.js';
import type { PairEvent } from './pairEvents.js';

function run(profile: Profile, events: readonly PairEvent[]): SnapshotFrom<typeof coloPair> {
  let [s] = initialTransition(coloPair, { profile });
  for (const e of events) [s] = transition(coloPair, s, e);
  return s;
}
const answers = (s: SnapshotFrom<typeof coloPair>) => ({
  primary: s.context.outcome.primary && formatOutcome(s.context.outcome.primary),
  secondary: s.context.outcome.secondary && formatOutcome(s.context.outcome.secondary),
});
const BOTH_RUNNING: PairEvent[] = [
  { type: 'START', side: 'secondary' },
  { type: 'START', side: 'primary' },
];

describe('COLO pair', () => {
  test('every region is in its node stage (or LOST) after every step of every covering path', () => {
    let steps = 0;
    for (const profile of MODEL_PROFILES) {
      for (const path of coveringPaths(MODELS.pair, profile).paths) {
        let [s] = initialTransition(coloPair, { profile });
        for (const event of path.events as PairEvent[]) {
          [s] = transition(coloPair, s, event);
          const value = s.value as { primary: string; secondary: string };
          for (const side of ['primary', 'secondary'] as const) {
            const { node, lost } = s.context[side];
            expect(value[side]).toBe(lost ? 'LOST' : node.value);
          }
          steps++;
        }
      }
    }
    expect(steps).toBeGreaterThan(1000);
  });

  test('with the link down a primary write still succeeds for the guest, and status reports the swallowed error', () => {
    const s = run('qemu-7.2', [...BOTH_RUNNING, { type: 'LINK_DOWN' }, { type: 'WRITE', vm: 'primary' }]);
    expect([answers(s).primary, formatOutcome(s.context.primary.node.context.outcome)]).toEqual(['ok', 'swallowed']);
    expect(answers(run('qemu-7.2', [...BOTH_RUNNING, { type: 'LINK_DOWN' }, { type: 'WRITE', vm: 'primary' }, { type: 'STATUS', side: 'primary' }])).primary).toBe(
      'error: I/O error occurred',
    );
  });

  test('failover with the primary lost: the secondary commits, a second failover is answered again, the lost side is lost', () => {
    const failed = run('qemu-7.2', [...BOTH_RUNNING, { type: 'FAILOVER', lost: 'primary' }]);
    expect([failed.value, answers(failed)]).toEqual([{ primary: 'LOST', secondary: 'FAILOVER', link: 'UP' }, { primary: null, secondary: 'ok' }]);
    const again = run('qemu-7.2', [...BOTH_RUNNING, { type: 'FAILOVER', lost: 'primary' }, { type: 'COMMIT_OK' }, { type: 'FAILOVER', lost: 'primary' }]);
    expect([again.value, answers(again)]).toEqual([{ primary: 'LOST', secondary: 'DONE', link: 'UP' }, { primary: null, secondary: 'ok' }]);
    expect(answers(run('qemu-7.2', [...BOTH_RUNNING, { type: 'FAILOVER', lost: 'primary' }, { type: 'READ', vm: 'primary' }]))).toEqual({ primary: 'sideLost', secondary: null });
  });

  test('failover whose survivor is already gone answers "side lost" and changes nothing', () => {
    const s = run('qemu-7.2', [...BOTH_RUNNING, { type: 'FAILOVER', lost: 'secondary' }, { type: 'FAILOVER', lost: 'primary' }]);
    expect([s.value, answers(s)]).toEqual([{ primary: 'DONE', secondary: 'LOST', link: 'UP' }, { primary: null, secondary: 'sideLost' }]);
  });

  test('v24: a COLO checkpoint before the secondary started crashes it; the primary then swallows its forwarded writes', () => {
    const s = run('v24', [{ type: 'START', side: 'primary' }, { type: 'COLO_CHECKPOINT' }]);
    expect([s.value, answers(s)]).toEqual([
      { primary: 'RUNNING', secondary: 'LOST', link: 'UP' },
      { primary: 'ok', secondary: 'crash: secondary_do_checkpoint dereferences the NULL secondary_disk (v24)' },
    ]);
    const written = transition(coloPair, s, { type: 'WRITE', vm: 'primary' })[0];
    expect(formatOutcome(written.context.primary.node.context.outcome)).toBe('swallowed');
  });

  test('the buffer holds data after forwarded or SVM writes, and not after a checkpoint', () => {
    expect(run('qemu-7.2', [...BOTH_RUNNING, { type: 'WRITE', vm: 'primary' }]).context.bufferHoldsData).toBe(true);
    expect(run('qemu-7.2', [...BOTH_RUNNING, { type: 'WRITE', vm: 'secondary' }, { type: 'COLO_CHECKPOINT' }]).context.bufferHoldsData).toBe(false);
    expect(run('qemu-7.2', [...BOTH_RUNNING, { type: 'LINK_DOWN' }, { type: 'WRITE', vm: 'primary' }]).context.bufferHoldsData).toBe(false);
  });
});
