import { describe, expect, it } from 'vitest';
import { BlockError } from '../block/BlockError.js';
import { QemuError } from '../replication/QemuError.js';
import { SimulatedCrash } from '../sim/SimulatedCrash.js';
import { DeadlockError, SimBoundError } from '../sim/Scheduler.js';
import { ScheduleDriftError } from '../sim/ReplayPolicy.js';
import { NoExportError, SideLostError, classifyError, outcomeOf, sideLostMessage } from './outcome.js';

describe('outcomeOf', () => {
  it('turns each kind of outcome error into its step result fields', () => {
    expect(outcomeOf(new QemuError('Block replication is not running'))).toEqual({ ok: false, error: 'Block replication is not running' });
    expect(outcomeOf(new BlockError('ENOSPC', 'injected ENOSPC on hidden write'))).toEqual({ ok: false, errno: 'ENOSPC' });
    expect(outcomeOf(new SideLostError('primary'))).toEqual({ ok: false, error: 'colosim: the primary side is lost', code: 'SIDE_LOST' });
    expect(outcomeOf(new NoExportError('secondary-disk0'))).toEqual({ ok: false, error: 'colosim: no NBD export named secondary-disk0', code: 'NO_EXPORT' });
  });

  it('reports a planned crash as a lost side, and any other crash as a crash', () => {
    expect(outcomeOf(new SimulatedCrash('secondary', 'crash fault at secondary:checkpoint', true))).toEqual({
      ok: false,
      error: sideLostMessage('secondary'),
      code: 'SIDE_LOST',
    });
    expect(outcomeOf(new SimulatedCrash('secondary', 'NULL dereference of the secondary disk'))).toEqual({
      ok: false,
      error: 'colosim: the secondary side crashed: NULL dereference of the secondary disk',
      code: 'CRASH',
    });
  });

  it('rethrows anything else: that is a bug in colosim', () => {
    const bug = new TypeError('x is undefined');
    expect(() => outcomeOf(bug)).toThrow(bug);
    expect(() => outcomeOf('a string')).toThrow();
  });

  it('builds outcome errors without a stack trace (they are thrown by the thousand)', () => {
    expect(new BlockError('EIO').stack?.split('\n')).toEqual(['Error: EIO']);
    expect(new SideLostError('primary').message).toBe('colosim: the primary side is lost');
    expect(Error.stackTraceLimit).toBeGreaterThan(0);
  });
});

describe('classifyError', () => {
  const bug = { kind: 'engine-bug' };

  it('gives a step operation its modelled outcome, and calls anything else an engine bug', () => {
    expect(classifyError(new BlockError('EIO'), 'operation')).toEqual({ kind: 'outcome', outcome: { ok: false, errno: 'EIO' } });
    expect(classifyError(new QemuError('Block replication is not running'), 'operation')).toEqual({
      kind: 'outcome',
      outcome: { ok: false, error: 'Block replication is not running' },
    });
    expect(classifyError(new TypeError('x is undefined'), 'operation')).toEqual(bug);
    expect(classifyError(new DeadlockError('deadlock', []), 'operation')).toEqual(bug);
    expect(classifyError('a string', 'operation')).toEqual(bug);
  });

  it('lets a background job die only with its process', () => {
    expect(classifyError(new SimulatedCrash('secondary', 'crash fault at secondary:during-commit', true), 'background')).toEqual({
      kind: 'outcome',
      outcome: { ok: false, error: sideLostMessage('secondary'), code: 'SIDE_LOST' },
    });
    // Nobody awaits a background job: an errno or a QEMU message escaping it would vanish.
    expect(classifyError(new BlockError('EIO'), 'background')).toEqual(bug);
    expect(classifyError(new QemuError('Block replication is not running'), 'background')).toEqual(bug);
    expect(classifyError(new TypeError('x is undefined'), 'background')).toEqual(bug);
  });

  it('stops the run on a deadlock, a bound or a drifted replay, and on nothing else', () => {
    expect(classifyError(new DeadlockError('deadlock', []), 'run')).toEqual({ kind: 'stop', code: 'DEADLOCK' });
    expect(classifyError(new SimBoundError('bound'), 'run')).toEqual({ kind: 'stop', code: 'SIM_BOUND' });
    expect(classifyError(new ScheduleDriftError('drift'), 'run')).toEqual({ kind: 'stop', code: 'SCHEDULE_DRIFT' });
    expect(classifyError(new Error('policy broken chose 7 of 2 ready entries'), 'run')).toEqual(bug);
    expect(classifyError(new BlockError('EIO'), 'run')).toEqual(bug);
  });
});
