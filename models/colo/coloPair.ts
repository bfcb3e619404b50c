/*
 * A COLO pair as a statechart with three parallel regions: the primary's replication stage, the
 * secondary's replication stage and the NBD link. Each side's node lives in the context as plain
 * data and every event is applied to it through the replication node chart (../replication), so the
 * node's rules are written once; a region's state follows its node's stage (guard
 * `primaryEnters`/`secondaryEnters`), a lost or crashed QEMU is LOST. A failover names the lost side;
 * the survivor stops with failover=true (again, if asked again), and a failover whose survivor is
 * gone answers "side lost". `context.outcome` holds what each side answered to the last event
 * (null: not addressed to that side). Limits: one replicated disk,
 * no faults besides the link and a failing commit, the data is in ../data.
 */
import { and, assign, setup } from 'xstate';
import type { Profile, Side } from '../../src/scenario/Scenario.js';
import type { NodeStateValue } from '../replication/replicationNode.js';
import { openedNode } from '../replication/nodeState.js';
import { type Outcome, SIDE_LOST } from '../replication/Outcome.js';
import type { PairEvent, PairEventType } from './pairEvents.js';
import { type PairSide, bufferHoldsDataAfter, concernsSide, nodeAfter, observedOutcome } from './pairRules.js';

export interface PairInput {
  readonly profile: Profile;
}

export interface PairContext {
  readonly profile: Profile;
  readonly primary: PairSide;
  readonly secondary: PairSide;
  readonly linkUp: boolean;
  /** Active or hidden hold data, so a failover commit has something to copy (and can fail). */
  readonly bufferHoldsData: boolean;
  readonly lastEvent: PairEventType | 'none';
  readonly outcome: { readonly primary: Outcome | null; readonly secondary: Outcome | null };
}

function initialPairContext({ input }: { input: PairInput }): PairContext {
  return {
    profile: input.profile,
    primary: { node: openedNode('primary', input.profile), lost: false },
    secondary: { node: openedNode('secondary', input.profile), lost: false },
    linkUp: true,
    bufferHoldsData: false,
    lastEvent: 'none',
    outcome: { primary: null, secondary: null },
  };
}

/** The context after `side` handled `event` through its node. */
function applyToSide(context: PairContext, event: PairEvent, side: Side): Partial<PairContext> {
  const node = nodeAfter(side, event, context);
  const sideState: PairSide = { node, lost: node.value === 'CRASHED' };
  const after = { ...context, [side]: sideState };
  return {
    [side]: sideState,
    bufferHoldsData: bufferHoldsDataAfter(context.bufferHoldsData, event, context, after),
    lastEvent: event.type,
    outcome: { ...context.outcome, [side]: observedOutcome(side, event, node) },
  };
}

const sideEnters = (context: PairContext, event: PairEvent, side: Side, stage: NodeStateValue) =>
  concernsSide(side, event) && nodeAfter(side, event, context).value === stage;

const coloPairSetup = setup({
  types: {
    context: {} as PairContext,
    events: {} as PairEvent,
    input: {} as PairInput,
  },
  guards: {
    isForPrimary: ({ event }) => concernsSide('primary', event),
    isForSecondary: ({ event }) => concernsSide('secondary', event),
    primaryEnters: ({ context, event }, params: { stage: NodeStateValue }) => sideEnters(context, event, 'primary', params.stage),
    secondaryEnters: ({ context, event }, params: { stage: NodeStateValue }) => sideEnters(context, event, 'secondary', params.stage),
    primaryAlive: ({ context }) => !context.primary.lost,
    secondaryAlive: ({ context }) => !context.secondary.lost,
    losesPrimary: ({ event }) => event.type === 'FAILOVER' && event.lost === 'primary',
    losesSecondary: ({ event }) => event.type === 'FAILOVER' && event.lost === 'secondary',
  },
  actions: {
    applyToSide: assign(({ context, event }, params: { side: Side }) => applyToSide(context, event, params.side)),
    loseSide: assign(({ context, event }, params: { side: Side }) => ({
      [params.side]: { ...context[params.side], lost: true },
      lastEvent: event.type,
      outcome: { ...context.outcome, [params.side]: null },
    })),
    reportSideLost: assign(({ context, event }, params: { side: Side }) => ({ lastEvent: event.type, outcome: { ...context.outcome, [params.side]: SIDE_LOST } })),
    forgetOutcome: assign(({ context, event }, params: { side: Side }) => ({ lastEvent: event.type, outcome: { ...context.outcome, [params.side]: null } })),
    dropLink: assign({ linkUp: false }),
    restoreLink: assign({ linkUp: true }),
  },
});

const apply = (side: Side) => ({ type: 'applyToSide', params: { side } }) as const;
const forget = (side: Side) => ({ type: 'forgetOutcome', params: { side } }) as const;
const lost = (side: Side) => ({ type: 'reportSideLost', params: { side } }) as const;
const primaryEnters = (stage: NodeStateValue) => ({ type: 'primaryEnters', params: { stage } }) as const;
const secondaryEnters = (stage: NodeStateValue) => ({ type: 'secondaryEnters', params: { stage } }) as const;

/** Region-level handling of an event addressed to the side: apply it to the node, stay in the stage. */
const applyIfFor = (side: Side) => [{ guard: side === 'primary' ? 'isForPrimary' : 'isForSecondary', actions: apply(side) }, { actions: forget(side) }] as const;
const lostIfFor = (side: Side) => [{ guard: side === 'primary' ? 'isForPrimary' : 'isForSecondary', actions: lost(side) }, { actions: forget(side) }] as const;

export const coloPair = coloPairSetup.createMachine({
  id: 'pair',
  type: 'parallel',
  context: initialPairContext,
  states: {
    primary: {
      initial: 'NONE',
      on: {
        START: applyIfFor('primary'),
        STOP: applyIfFor('primary'),
        CHECKPOINT: applyIfFor('primary'),
        COLO_CHECKPOINT: { actions: apply('primary') },
        STATUS: applyIfFor('primary'),
        WRITE: applyIfFor('primary'),
        READ: applyIfFor('primary'),
        FAILOVER: [
          { guard: and(['losesPrimary', 'primaryAlive', 'secondaryAlive']), target: '.LOST', actions: { type: 'loseSide', params: { side: 'primary' } } },
          /* The survivor stops with failover=true, however often it is asked. */
          { guard: and(['losesSecondary', 'primaryAlive']), actions: apply('primary') },
          { guard: 'losesSecondary', actions: lost('primary') },
          { actions: forget('primary') },
        ],
        LINK_DOWN: { actions: forget('primary') },
        LINK_UP: { actions: forget('primary') },
        COMMIT_OK: { actions: forget('primary') },
        COMMIT_FAILED: { actions: forget('primary') },
      },
      states: {
        NONE: {
          on: { START: { guard: and(['isForPrimary', primaryEnters('RUNNING')]), target: 'RUNNING', actions: apply('primary') } },
        },
        RUNNING: {
          on: {
            STOP: { guard: and(['isForPrimary', primaryEnters('DONE')]), target: 'DONE', actions: apply('primary') },
            FAILOVER: { guard: and(['losesSecondary', primaryEnters('DONE')]), target: 'DONE', actions: apply('primary') },
          },
        },
        DONE: {},
        LOST: {
          on: {
            START: lostIfFor('primary'),
            STOP: lostIfFor('primary'),
            CHECKPOINT: lostIfFor('primary'),
            COLO_CHECKPOINT: { actions: lost('primary') },
            STATUS: lostIfFor('primary'),
            WRITE: lostIfFor('primary'),
            READ: lostIfFor('primary'),
          },
        },
      },
    },
    secondary: {
      initial: 'NONE',
      on: {
        START: applyIfFor('secondary'),
        STOP: applyIfFor('secondary'),
        CHECKPOINT: [
          { guard: and(['isForSecondary', secondaryEnters('CRASHED')]), target: '.LOST', actions: apply('secondary') },
          ...applyIfFor('secondary'),
        ],
        COLO_CHECKPOINT: [{ guard: secondaryEnters('CRASHED'), target: '.LOST', actions: apply('secondary') }, { actions: apply('secondary') }],
        STATUS: applyIfFor('secondary'),
        WRITE: applyIfFor('secondary'),
        READ: applyIfFor('secondary'),
        FAILOVER: [
          { guard: and(['losesSecondary', 'secondaryAlive', 'primaryAlive']), target: '.LOST', actions: { type: 'loseSide', params: { side: 'secondary' } } },
          { guard: and(['losesPrimary', 'secondaryAlive']), actions: apply('secondary') },
          { guard: 'losesPrimary', actions: lost('secondary') },
          { actions: forget('secondary') },
        ],
        LINK_DOWN: { actions: forget('secondary') },
        LINK_UP: { actions: forget('secondary') },
        COMMIT_OK: { actions: apply('secondary') },
        COMMIT_FAILED: { actions: apply('secondary') },
      },
      states: {
        NONE: {
          on: { START: { guard: and(['isForSecondary', secondaryEnters('RUNNING')]), target: 'RUNNING', actions: apply('secondary') } },
        },
        RUNNING: {
          on: {
            STOP: [
              { guard: and(['isForSecondary', secondaryEnters('FAILOVER')]), target: 'FAILOVER', actions: apply('secondary') },
              { guard: and(['isForSecondary', secondaryEnters('DONE')]), target: 'DONE', actions: apply('secondary') },
            ],
            FAILOVER: { guard: and(['losesPrimary', secondaryEnters('FAILOVER')]), target: 'FAILOVER', actions: apply('secondary') },
          },
        },
        FAILOVER: {
          on: {
            COMMIT_OK: { guard: secondaryEnters('DONE'), target: 'DONE', actions: apply('secondary') },
            COMMIT_FAILED: { guard: secondaryEnters('FAILOVER_FAILED'), target: 'FAILOVER_FAILED', actions: apply('secondary') },
          },
        },
        FAILOVER_FAILED: {},
        DONE: {},
        LOST: {
          on: {
            START: lostIfFor('secondary'),
            STOP: lostIfFor('secondary'),
            CHECKPOINT: lostIfFor('secondary'),
            COLO_CHECKPOINT: { actions: lost('secondary') },
            STATUS: lostIfFor('secondary'),
            WRITE: lostIfFor('secondary'),
            READ: lostIfFor('secondary'),
            COMMIT_OK: { actions: lost('secondary') },
            COMMIT_FAILED: { actions: lost('secondary') },
          },
        },
      },
    },
    link: {
      initial: 'UP',
      states: {
        UP: { on: { LINK_DOWN: { target: 'DOWN', actions: 'dropLink' } } },
        DOWN: { on: { LINK_UP: { target: 'UP', actions: 'restoreLink' } } },
      },
    },
  },
});

export type ColoPair = typeof coloPair;
