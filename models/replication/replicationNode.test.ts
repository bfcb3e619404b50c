/*
 * The replication node chart against reference §2.4 (7.2) and §2.9 (v24), written out here by hand
 * from the reference, not from the chart: every (mode, stage, operation) with the next stage and the
 * exact outcome. v24 is written as 7.2 plus the rows §2.9 and the v24 patch change.
 */
import { describe, expect, test } from 'vitest';
import type { Profile } from '../../src/scenario/Scenario.js';
import type { NodeEvent } from './nodeEvents.js';
import { applyNodeEvent, applyNodeEvents, openedNode, unopenedNode } from './nodeState.js';
import { formatOutcome } from './Outcome.js';
import { outcomeTable } from './outcomeTable.js';

const RUNNING_OR_DONE = 'error: Block replication is running or done';
const NOT_RUNNING = 'error: Block replication is not running';
const IO_ERROR = 'error: I/O error occurred';
const BACKUP_CANCELLED = 'error: Backup job was cancelled unexpectedly';
const NEEDS_1_GOT_0 = "error: The parameter mode's value is invalid, needs 1, but got 0";
const NEEDS_0_GOT_1 = "error: The parameter mode's value is invalid, needs 0, but got 1";
const EMPTY_ACTIVE_FAILED = 'error: Failed to empty active.qcow2: Input/output error';
const HIDDEN_EJECTED = 'error: Hidden disk hidden is ejected';

/** Columns, in the order the rows below list them. */
const OPS = [
  'START(primary)',
  'START(secondary)',
  'CHECKPOINT',
  'CHECKPOINT(active make_empty fails)',
  'CHECKPOINT(hidden ejected)',
  'GET_ERROR',
  'STOP(failover=false)',
  'STOP(failover=true)',
  'READ',
  'WRITE',
  'WRITE(lower fails)',
  'BACKUP_JOB_FAILED',
  'COMMIT_OK',
  'COMMIT_FAILED',
  'CLOSE',
] as const;
type Op = (typeof OPS)[number];
type Cell = readonly [next: string, outcome: string];
type Row = Readonly<Record<Op, Cell>>;

/** Job callbacks without the job: cannot happen. */
const NO_JOBS = { BACKUP_JOB_FAILED: ['=', 'noSuchJob'], COMMIT_OK: ['=', 'noSuchJob'], COMMIT_FAILED: ['=', 'noSuchJob'] } as const;

/** QEMU 7.2 (§2.4), "=" meaning the stage does not change. */
const QEMU_72: Readonly<Record<string, Row>> = {
  'primary NONE': {
    'START(primary)': ['RUNNING', 'ok'],
    'START(secondary)': ['=', NEEDS_0_GOT_1],
    CHECKPOINT: ['=', 'ok'], // primary checkpoint: no-op success, even in NONE
    'CHECKPOINT(active make_empty fails)': ['=', 'ok'],
    'CHECKPOINT(hidden ejected)': ['=', 'ok'],
    GET_ERROR: ['=', NOT_RUNNING],
    'STOP(failover=false)': ['=', NOT_RUNNING],
    'STOP(failover=true)': ['=', NOT_RUNNING],
    READ: ['=', 'EIO'],
    WRITE: ['=', 'EIO'],
    'WRITE(lower fails)': ['=', 'EIO'],
    ...NO_JOBS,
    CLOSE: ['CLOSED', 'ok'],
  },
  'primary RUNNING': {
    'START(primary)': ['=', RUNNING_OR_DONE],
    'START(secondary)': ['=', RUNNING_OR_DONE],
    CHECKPOINT: ['=', 'ok'],
    'CHECKPOINT(active make_empty fails)': ['=', 'ok'],
    'CHECKPOINT(hidden ejected)': ['=', 'ok'],
    GET_ERROR: ['=', 'ok'],
    'STOP(failover=false)': ['DONE', 'ok'],
    'STOP(failover=true)': ['DONE', 'ok'],
    READ: ['=', 'EIO'], // primary reads always fail
    WRITE: ['=', 'ok'],
    'WRITE(lower fails)': ['=', 'swallowed'],
    ...NO_JOBS,
    CLOSE: ['CLOSED', 'ok'],
  },
  'primary DONE': {
    'START(primary)': ['=', 'ignored'],
    'START(secondary)': ['=', 'ignored'],
    CHECKPOINT: ['=', 'ignored'],
    'CHECKPOINT(active make_empty fails)': ['=', 'ignored'],
    'CHECKPOINT(hidden ejected)': ['=', 'ignored'],
    GET_ERROR: ['=', 'ok'],
    'STOP(failover=false)': ['=', 'ignored'],
    'STOP(failover=true)': ['=', 'ignored'],
    READ: ['=', 'EIO'],
    WRITE: ['=', 'EIO'],
    'WRITE(lower fails)': ['=', 'EIO'],
    ...NO_JOBS,
    CLOSE: ['CLOSED', 'ok'],
  },
  'secondary NONE': {
    'START(primary)': ['=', NEEDS_1_GOT_0],
    'START(secondary)': ['RUNNING', 'ok'],
    CHECKPOINT: ['=', BACKUP_CANCELLED],
    'CHECKPOINT(active make_empty fails)': ['=', BACKUP_CANCELLED],
    'CHECKPOINT(hidden ejected)': ['=', BACKUP_CANCELLED],
    GET_ERROR: ['=', NOT_RUNNING],
    'STOP(failover=false)': ['=', NOT_RUNNING],
    'STOP(failover=true)': ['=', NOT_RUNNING],
    READ: ['=', 'EIO'],
    WRITE: ['=', 'EIO'],
    'WRITE(lower fails)': ['=', 'EIO'],
    ...NO_JOBS,
    CLOSE: ['CLOSED', 'ok'],
  },
  'secondary RUNNING': {
    'START(primary)': ['=', RUNNING_OR_DONE],
    'START(secondary)': ['=', RUNNING_OR_DONE],
    CHECKPOINT: ['=', 'ok'],
    'CHECKPOINT(active make_empty fails)': ['=', EMPTY_ACTIVE_FAILED],
    'CHECKPOINT(hidden ejected)': ['=', HIDDEN_EJECTED],
    GET_ERROR: ['=', 'ok'],
    'STOP(failover=false)': ['DONE', BACKUP_CANCELLED],
    'STOP(failover=true)': ['FAILOVER', 'ok'],
    READ: ['=', 'ok'],
    WRITE: ['=', 'ok'],
    'WRITE(lower fails)': ['=', 'EIO'], // the secondary never swallows
    BACKUP_JOB_FAILED: ['=', 'ok'],
    COMMIT_OK: ['=', 'noSuchJob'],
    COMMIT_FAILED: ['=', 'noSuchJob'],
    CLOSE: ['CLOSED', 'ok'],
  },
  'secondary FAILOVER': {
    'START(primary)': ['=', 'ignored'],
    'START(secondary)': ['=', 'ignored'],
    CHECKPOINT: ['=', 'ignored'],
    'CHECKPOINT(active make_empty fails)': ['=', 'ignored'],
    'CHECKPOINT(hidden ejected)': ['=', 'ignored'],
    GET_ERROR: ['=', IO_ERROR], // the backup cancel set -EIO
    'STOP(failover=false)': ['=', 'ignored'],
    'STOP(failover=true)': ['=', 'ignored'],
    READ: ['=', 'ok'],
    WRITE: ['=', 'ok'],
    'WRITE(lower fails)': ['=', 'EIO'],
    BACKUP_JOB_FAILED: ['=', 'noSuchJob'],
    COMMIT_OK: ['DONE', 'ok'],
    COMMIT_FAILED: ['FAILOVER_FAILED', 'ok'],
    CLOSE: ['CLOSED', 'ok'],
  },
  'secondary FAILOVER_FAILED': {
    'START(primary)': ['=', RUNNING_OR_DONE],
    'START(secondary)': ['=', RUNNING_OR_DONE],
    CHECKPOINT: ['=', BACKUP_CANCELLED],
    'CHECKPOINT(active make_empty fails)': ['=', BACKUP_CANCELLED],
    'CHECKPOINT(hidden ejected)': ['=', BACKUP_CANCELLED],
    GET_ERROR: ['=', IO_ERROR],
    'STOP(failover=false)': ['=', NOT_RUNNING],
    'STOP(failover=true)': ['=', NOT_RUNNING],
    READ: ['=', 'ok'],
    WRITE: ['=', 'split'],
    'WRITE(lower fails)': ['=', 'EIO'],
    ...NO_JOBS,
    CLOSE: ['CLOSED', 'ok'],
  },
  'secondary DONE(failover)': {
    'START(primary)': ['=', 'ignored'],
    'START(secondary)': ['=', 'ignored'],
    CHECKPOINT: ['=', 'ignored'],
    'CHECKPOINT(active make_empty fails)': ['=', 'ignored'],
    'CHECKPOINT(hidden ejected)': ['=', 'ignored'],
    GET_ERROR: ['=', 'ok'], // a successful commit clears the error
    'STOP(failover=false)': ['=', 'ignored'],
    'STOP(failover=true)': ['=', 'ignored'],
    READ: ['=', 'ok'],
    WRITE: ['=', 'ok'],
    'WRITE(lower fails)': ['=', 'EIO'],
    ...NO_JOBS,
    CLOSE: ['CLOSED', 'ok'],
  },
  'secondary DONE(stop)': {
    'START(primary)': ['=', 'ignored'],
    'START(secondary)': ['=', 'ignored'],
    CHECKPOINT: ['=', 'ignored'],
    'CHECKPOINT(active make_empty fails)': ['=', 'ignored'],
    'CHECKPOINT(hidden ejected)': ['=', 'ignored'],
    GET_ERROR: ['=', IO_ERROR], // §9.1: stays reported forever after stop(failover=false)
    'STOP(failover=false)': ['=', 'ignored'],
    'STOP(failover=true)': ['=', 'ignored'],
    READ: ['=', 'ok'],
    WRITE: ['=', 'ok'],
    'WRITE(lower fails)': ['=', 'EIO'],
    ...NO_JOBS,
    CLOSE: ['CLOSED', 'ok'],
  },
};

const CRASH_NULL_SECONDARY = 'crash: secondary_do_checkpoint dereferences the NULL secondary_disk (v24)';
const CRASH_EJECTED = 'crash: make_empty through the NULL driver of an ejected buffer disk (v24)';
const ALL_CHECKPOINTS = ['CHECKPOINT', 'CHECKPOINT(active make_empty fails)', 'CHECKPOINT(hidden ejected)'] as const;
const both = (cell: Cell, ops: readonly Op[]) => Object.fromEntries(ops.map((op) => [op, cell])) as Partial<Row>;

/** v24 = 7.2 with these rows changed (§2.9 and the v24 patch). */
const V24_CHANGES: Readonly<Record<string, Partial<Row>>> = {
  'primary DONE': {
    ...both(['=', RUNNING_OR_DONE], ['START(primary)', 'START(secondary)']),
    ...both(['=', 'ok'], ALL_CHECKPOINTS), // the primary's checkpoint is a no-op in every stage
    GET_ERROR: ['=', NOT_RUNNING], // get_error answers only in RUNNING
    ...both(['=', NOT_RUNNING], ['STOP(failover=false)', 'STOP(failover=true)']),
  },
  /* Before start the secondary_disk pointer is NULL and secondary_do_checkpoint dereferences it. */
  'secondary NONE': both(['CRASHED', CRASH_NULL_SECONDARY], ALL_CHECKPOINTS),
  'secondary RUNNING': {
    'CHECKPOINT(active make_empty fails)': ['=', 'error: Cannot make active disk empty'],
    'CHECKPOINT(hidden ejected)': ['CRASHED', CRASH_EJECTED],
  },
  'secondary FAILOVER': {
    ...both(['=', RUNNING_OR_DONE], ['START(primary)', 'START(secondary)']),
    ...both(['=', BACKUP_CANCELLED], ALL_CHECKPOINTS),
    GET_ERROR: ['=', NOT_RUNNING],
    ...both(['=', NOT_RUNNING], ['STOP(failover=false)', 'STOP(failover=true)']),
  },
  'secondary FAILOVER_FAILED': { GET_ERROR: ['=', NOT_RUNNING] },
  'secondary DONE(failover)': {
    ...both(['=', RUNNING_OR_DONE], ['START(primary)', 'START(secondary)']),
    ...both(['CRASHED', CRASH_NULL_SECONDARY], ALL_CHECKPOINTS), // the successful failover cleared secondary_disk
    GET_ERROR: ['=', NOT_RUNNING],
    ...both(['=', NOT_RUNNING], ['STOP(failover=false)', 'STOP(failover=true)']),
  },
  'secondary DONE(stop)': {
    ...both(['=', RUNNING_OR_DONE], ['START(primary)', 'START(secondary)']),
    ...both(['=', BACKUP_CANCELLED], ALL_CHECKPOINTS), // secondary_disk still set, its job gone
    GET_ERROR: ['=', NOT_RUNNING],
    ...both(['=', NOT_RUNNING], ['STOP(failover=false)', 'STOP(failover=true)']),
  },
};

function expectedTable(profile: Profile): string[] {
  const lines: string[] = [];
  for (const [where, row] of Object.entries(QEMU_72)) {
    const [mode, stageLabel] = where.split(' ') as [string, string];
    const stage = stageLabel.replace(/\(.*\)$/, '');
    const merged: Row = profile === 'v24' ? { ...row, ...V24_CHANGES[where] } : row;
    for (const op of OPS) {
      const [next, outcome] = merged[op];
      lines.push(`${profile} ${mode} ${stageLabel} ${op} -> ${next === '=' ? stage : next} ${outcome}`);
    }
  }
  return lines;
}

describe('outcome table (reference §2.4 / §2.9)', () => {
  for (const profile of ['qemu-7.2', 'v24'] as const) {
    test(`${profile}: every (mode, stage, operation)`, () => {
      const actual = outcomeTable([profile]).map((r) => `${r.profile} ${r.mode} ${r.stage} ${r.event} -> ${r.next} ${r.outcome}`);
      expect(actual).toEqual(expectedTable(profile));
    });
  }
});

const run = (mode: 'primary' | 'secondary', profile: Profile, events: readonly NodeEvent[]) => applyNodeEvents(openedNode(mode, profile), events);
const START_SECONDARY: NodeEvent = { type: 'START', mode: 'secondary' };

describe('open (§2.2)', () => {
  test('top-id on a primary: rejected by 7.2, accepted by v24', () => {
    const opened72 = applyNodeEvent(unopenedNode('primary', 'qemu-7.2'), { type: 'OPEN', topId: true });
    expect([opened72.value, formatOutcome(opened72.context.outcome)]).toEqual(['UNOPENED', 'error: The primary side does not support option top-id']);
    const opened24 = applyNodeEvent(unopenedNode('primary', 'v24'), { type: 'OPEN', topId: true });
    expect([opened24.value, formatOutcome(opened24.context.outcome)]).toEqual(['NONE', 'ok']);
  });
  test('a secondary without top-id is rejected in both profiles', () => {
    for (const profile of ['qemu-7.2', 'v24'] as const) {
      const node = applyNodeEvent(unopenedNode('secondary', profile), { type: 'OPEN', topId: false });
      expect([node.value, formatOutcome(node.context.outcome)]).toEqual(['UNOPENED', 'error: Missing the option top-id']);
    }
  });
  test('events before open or after close find no node', () => {
    expect(formatOutcome(applyNodeEvent(unopenedNode('primary', 'qemu-7.2'), { type: 'GET_ERROR' }).context.outcome)).toBe('absent');
    expect(formatOutcome(run('primary', 'qemu-7.2', [{ type: 'CLOSE' }, { type: 'START', mode: 'primary' }]).context.outcome)).toBe('absent');
  });
});

describe('secondary start validation (§2.6)', () => {
  const messages = {
    activeWithoutBacking: "Active disk doesn't have backing file",
    hiddenWithoutBacking: "Hidden disk doesn't have backing file",
    secondaryWithoutBlockBackend: "The secondary disk doesn't have block backend",
    diskLengthsDiffer: "Active disk, hidden disk, secondary disk's length are not the same",
    makeEmptyUnsupported: "Active disk or hidden disk doesn't support make_empty",
    invalidTopId: 'No top_bs or it is invalid',
  } as const;
  for (const [check, message] of Object.entries(messages)) {
    test(`${check}: "${message}", stays in NONE`, () => {
      const node = run('secondary', 'qemu-7.2', [{ type: 'START', mode: 'secondary', fault: { kind: 'check', check: check as keyof typeof messages } }]);
      expect([node.value, formatOutcome(node.context.outcome), node.context.backupJob]).toEqual(['NONE', `error: ${message}`, false]);
    });
  }
  test('the mode check comes before validation', () => {
    const node = run('secondary', 'qemu-7.2', [{ type: 'START', mode: 'primary', fault: { kind: 'check', check: 'invalidTopId' } }]);
    expect(formatOutcome(node.context.outcome)).toBe(NEEDS_1_GOT_0);
  });
  test('a primary start has no checks: a secondary chain fault does not reach it', () => {
    const node = run('primary', 'qemu-7.2', [{ type: 'START', mode: 'primary', fault: { kind: 'check', check: 'activeWithoutBacking' } }]);
    expect([node.value, formatOutcome(node.context.outcome)]).toEqual(['RUNNING', 'ok']);
  });
  test('§9.5: a failing initial checkpoint is returned but the node is RUNNING with error 0, and a retry is "running or done"', () => {
    const node = run('secondary', 'qemu-7.2', [{ type: 'START', mode: 'secondary', fault: { kind: 'initialCheckpoint', fault: 'activeMakeEmptyFailed' } }]);
    expect([node.value, formatOutcome(node.context.outcome), node.context.error]).toEqual(['RUNNING', EMPTY_ACTIVE_FAILED, 0]);
    expect(formatOutcome(applyNodeEvent(node, START_SECONDARY).context.outcome)).toBe(RUNNING_OR_DONE);
  });
  test('v24: a checkpoint after a start that failed at step 3 or later finds the secondary disk linked (no crash)', () => {
    const late = run('secondary', 'v24', [{ type: 'START', mode: 'secondary', fault: { kind: 'check', check: 'diskLengthsDiffer' } }, { type: 'CHECKPOINT' }]);
    expect([late.value, formatOutcome(late.context.outcome)]).toEqual(['NONE', BACKUP_CANCELLED]);
    const early = run('secondary', 'v24', [{ type: 'START', mode: 'secondary', fault: { kind: 'check', check: 'hiddenWithoutBacking' } }, { type: 'CHECKPOINT' }]);
    expect([early.value, formatOutcome(early.context.outcome)]).toEqual(['CRASHED', CRASH_NULL_SECONDARY]);
  });
  test('block-layer failures pass their message through', () => {
    const node = run('secondary', 'qemu-7.2', [{ type: 'START', mode: 'secondary', fault: { kind: 'blockLayer', step: 'reopen', message: 'reopen went wrong' } }]);
    expect([node.value, formatOutcome(node.context.outcome)]).toEqual(['NONE', 'error: reopen went wrong']);
  });
});

describe('the replication error flag', () => {
  test('primary: a swallowed write sets it, a checkpoint keeps it, stop clears it', () => {
    const steps: NodeEvent[] = [{ type: 'START', mode: 'primary' }, { type: 'WRITE', lowerFailed: true }, { type: 'CHECKPOINT' }, { type: 'GET_ERROR' }];
    const before = run('primary', 'qemu-7.2', steps);
    expect(formatOutcome(before.context.outcome)).toBe(IO_ERROR);
    const after = applyNodeEvents(before, [{ type: 'STOP', failover: false }, { type: 'GET_ERROR' }]);
    expect(formatOutcome(after.context.outcome)).toBe('ok');
  });
  test('secondary: the backup job ending by itself is reported, and a checkpoint then fails', () => {
    const node = run('secondary', 'qemu-7.2', [START_SECONDARY, { type: 'BACKUP_JOB_FAILED' }, { type: 'GET_ERROR' }]);
    expect([formatOutcome(node.context.outcome), node.context.backupJob]).toEqual([IO_ERROR, false]);
    expect(formatOutcome(applyNodeEvent(node, { type: 'CHECKPOINT' }).context.outcome)).toBe(BACKUP_CANCELLED);
  });
  test('a failed failover keeps reporting I/O error; a stop then says not running', () => {
    const node = run('secondary', 'qemu-7.2', [START_SECONDARY, { type: 'STOP', failover: true }, { type: 'COMMIT_FAILED' }]);
    expect([node.value, node.context.error]).toEqual(['FAILOVER_FAILED', -5]);
    expect(formatOutcome(applyNodeEvent(node, { type: 'STOP', failover: true }).context.outcome)).toBe(NOT_RUNNING);
  });
});

describe('commit start failure and close (§9.3, §2.8)', () => {
  const commitStartFails: NodeEvent = { type: 'STOP', failover: true, commitStartError: 'commit could not start' };
  test('7.2: the stop returns the error, the node stays in FAILOVER without a job and ignores requests', () => {
    const node = run('secondary', 'qemu-7.2', [START_SECONDARY, commitStartFails]);
    expect([node.value, formatOutcome(node.context.outcome), node.context.commitJob]).toEqual(['FAILOVER', 'error: commit could not start', false]);
    expect(formatOutcome(applyNodeEvent(node, START_SECONDARY).context.outcome)).toBe('ignored');
    const closed = applyNodeEvent(node, { type: 'CLOSE' });
    expect([closed.value, formatOutcome(closed.context.outcome)]).toEqual(['CRASHED', 'crash: close in FAILOVER cancels a NULL commit job (reference 9.3)']);
  });
  test('7.2 cancels the commit on close; v24 leaves it running and its completion meets the closed node', () => {
    const path: NodeEvent[] = [START_SECONDARY, { type: 'STOP', failover: true }, { type: 'CLOSE' }, { type: 'COMMIT_OK' }];
    const qemu = run('secondary', 'qemu-7.2', path);
    expect([qemu.value, formatOutcome(qemu.context.outcome)]).toEqual(['CLOSED', 'absent']);
    const v24 = run('secondary', 'v24', path);
    expect([v24.value, formatOutcome(v24.context.outcome)]).toEqual([
      'CRASHED',
      'crash: the commit callback replication_done runs on the closed node (v24, use after free)',
    ]);
  });
  test('close in RUNNING stops the secondary first (the backup job goes)', () => {
    const node = run('secondary', 'qemu-7.2', [START_SECONDARY, { type: 'CLOSE' }]);
    expect([node.value, formatOutcome(node.context.outcome), node.context.backupJob]).toEqual(['CLOSED', 'ok', false]);
  });
});

describe('continuous replication after promotion (test-replication case 11)', () => {
  test('7.2 ignores start(primary), checkpoint and stop after a successful failover', () => {
    const promoted = run('secondary', 'qemu-7.2', [START_SECONDARY, { type: 'STOP', failover: true }, { type: 'COMMIT_OK' }]);
    const answers = [{ type: 'START', mode: 'primary' }, { type: 'CHECKPOINT' }, { type: 'STOP', failover: true }].map((e) =>
      formatOutcome(applyNodeEvent(promoted, e as NodeEvent).context.outcome),
    );
    expect(answers).toEqual(['ignored', 'ignored', 'ignored']);
  });
});
