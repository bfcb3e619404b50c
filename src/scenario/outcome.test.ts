import { describe, expect, it } from 'vitest';
import { BlockError } from '../block/BlockError.js';
import { QemuError } from '../replication/QemuError.js';
import { SimulatedCrash } from '../sim/SimulatedCrash.js';
import { NoExportError, SideLostError, outcomeOf, sideLostMessage } from './outcome.js';

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
