import { describe, expect, it } from 'vitest';
import { FaultPlanError, parseFaultPlan } from './FaultPlan.js';

const messageOf = (raw: unknown): string => {
  try {
    parseFaultPlan(raw);
  } catch (error) {
    expect(error).toBeInstanceOf(FaultPlanError);
    expect((error as FaultPlanError).code).toBe('BAD_FAULT');
    return (error as Error).message;
  }
  throw new Error('expected the plan to be rejected');
};

describe('parseFaultPlan', () => {
  it('reads a missing plan as no faults', () => {
    expect(parseFaultPlan(undefined)).toEqual([]);
  });

  it('fills defaults and drops absent optional fields', () => {
    const plan = parseFaultPlan([
      { kind: 'io-error', node: 'hidden' },
      { kind: 'io-error', node: 'active', op: 'write', errno: 'ENOSPC', offset: 0, bytes: 512, afterOps: 3, fromTick: 10, times: 1 },
      { kind: 'latency', node: 'raw', ticks: 500, untilTick: 9 },
      { kind: 'link-drop', link: 'link' },
      { kind: 'crash', point: 'secondary:failover', afterHits: 2 },
      { kind: 'job-fail' },
    ]);
    expect(plan).toEqual([
      { kind: 'io-error', node: 'hidden', op: 'any', errno: 'EIO' },
      { kind: 'io-error', node: 'active', op: 'write', errno: 'ENOSPC', offset: 0, bytes: 512, afterOps: 3, fromTick: 10, times: 1 },
      { kind: 'latency', node: 'raw', op: 'any', ticks: 500, untilTick: 9 },
      { kind: 'link-drop', link: 'link' },
      { kind: 'crash', point: 'secondary:failover', afterHits: 2 },
      { kind: 'job-fail', job: 'backup' },
    ]);
    expect(Object.keys(plan[0]!)).toEqual(['kind', 'node', 'op', 'errno']);
  });

  it('names the fault and the field in every message', () => {
    expect(messageOf({})).toBe('faults: must be an array of faults');
    expect(messageOf([3])).toBe('faults[0]: must be an object');
    expect(messageOf([{ kind: 'crash', point: 'p' }, { kind: 'meteor' }])).toBe(
      'faults[1].kind: must be one of "io-error", "latency", "link-drop", "crash", "job-fail", got "meteor"',
    );
    expect(messageOf([{ kind: 'io-error' }])).toBe('faults[0].node: must be a non-empty string, got nothing');
    expect(messageOf([{ kind: 'io-error', node: '' }])).toBe('faults[0].node: must be a non-empty string, got ""');
    expect(messageOf([{ kind: 'io-error', node: 'x', op: 'trim' }])).toBe(
      'faults[0].op: must be one of "read", "write", "write-zeroes", "flush", "make-empty", "any", got "trim"',
    );
    expect(messageOf([{ kind: 'io-error', node: 'x', errno: 5 }])).toBe(
      'faults[0].errno: must be one of "EPERM", "EIO", "ENOMEM", "EBUSY", "EINVAL", "ENOSPC", "ENOMEDIUM", "ENOTSUP", "ECONNRESET", "ENOTCONN", "ESHUTDOWN", "ECANCELED", got 5',
    );
    expect(messageOf([{ kind: 'io-error', node: 'x', bytes: 0 }])).toBe('faults[0].bytes: must be an integer >= 1, got 0');
    expect(messageOf([{ kind: 'io-error', node: 'x', afterOps: -1 }])).toBe('faults[0].afterOps: must be an integer >= 0, got -1');
    expect(messageOf([{ kind: 'latency', node: 'x', ticks: 1.5 }])).toBe('faults[0].ticks: must be an integer >= 0, got 1.5');
    expect(messageOf([{ kind: 'latency', node: 'x', ticks: '5' }])).toBe('faults[0].ticks: must be an integer >= 0, got "5"');
    expect(messageOf([{ kind: 'crash', point: 'p', after: 1 }])).toBe('faults[0].after: unknown field');
    expect(messageOf([{ kind: 'job-fail', job: 'mirror' }])).toBe('faults[0].job: must be one of "backup", "commit", got "mirror"');
    expect(messageOf([{ kind: 'link-drop', link: 'l', fromTick: null }])).toBe('faults[0].fromTick: must be an integer >= 0, got null');
  });

  it('uses the caller\'s location prefix', () => {
    expect(() => parseFaultPlan([{ kind: 'crash' }], 'scenario.engine.faults')).toThrow(
      'scenario.engine.faults[0].point: must be a non-empty string, got nothing',
    );
  });
});
