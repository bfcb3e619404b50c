import { describe, expect, it } from 'vitest';
import type { Clock } from './Clock.js';
import { FaultInjector } from './FaultInjector.js';
import type { Fault, IoErrorFault } from './FaultPlan.js';
import { Trace } from './Trace.js';

class ManualClock implements Clock {
  tick = 0;
  now(): number {
    return this.tick;
  }
}

function injector(plan: readonly Fault[]): { faults: FaultInjector; clock: ManualClock; trace: Trace } {
  const clock = new ManualClock();
  const trace = new Trace('full', clock);
  return { faults: new FaultInjector(plan, clock, trace), clock, trace };
}

const ioError = (extra: Partial<IoErrorFault> = {}): IoErrorFault => ({ kind: 'io-error', node: 'hidden', op: 'any', errno: 'EIO', ...extra });

describe('FaultInjector: io-error', () => {
  it('matches by node and op', () => {
    const { faults } = injector([ioError({ op: 'write', errno: 'ENOSPC' })]);
    expect(faults.ioError('active', 'write', 0, 512)).toBeNull();
    expect(faults.ioError('hidden', 'read', 0, 512)).toBeNull();
    expect(faults.ioError('hidden', 'write-zeroes', 0, 512)).toBeNull();
    expect(faults.ioError('hidden', 'write', 0, 512)).toBe('ENOSPC');
  });

  it('matches every data op with op "any"; make-empty only when named', () => {
    const { faults } = injector([ioError()]);
    expect(['read', 'write', 'write-zeroes', 'flush', 'make-empty'].map((op) => faults.ioError('hidden', op as 'read', 0, 512))).toEqual([
      'EIO',
      'EIO',
      'EIO',
      'EIO',
      null,
    ]);
    const named = injector([ioError({ op: 'make-empty' })]).faults;
    expect([named.ioError('hidden', 'make-empty', 0, 512), named.ioError('hidden', 'write', 0, 512)]).toEqual(['EIO', null]);
  });

  it('matches only requests overlapping its byte range (half-open)', () => {
    const { faults } = injector([ioError({ offset: 4096, bytes: 512 })]);
    expect(faults.ioError('hidden', 'read', 3584, 512)).toBeNull();
    expect(faults.ioError('hidden', 'read', 4608, 512)).toBeNull();
    expect(faults.ioError('hidden', 'read', 3584, 513)).toBe('EIO');
    expect(faults.ioError('hidden', 'read', 4607, 1)).toBe('EIO');
    expect(faults.ioError('hidden', 'read', 0, 1 << 20)).toBe('EIO');
    // A flush has no range and so never overlaps one.
    expect(faults.ioError('hidden', 'flush', 0, 0)).toBeNull();
  });

  it('reads a range with only an offset as "to the end", and one with only a length as "from 0"', () => {
    const tail = injector([ioError({ offset: 8192 })]).faults;
    expect(tail.ioError('hidden', 'read', 0, 8192)).toBeNull();
    expect(tail.ioError('hidden', 'read', 2 ** 40, 512)).toBe('EIO');
    const head = injector([ioError({ bytes: 512 })]).faults;
    expect(head.ioError('hidden', 'read', 512, 512)).toBeNull();
    expect(head.ioError('hidden', 'read', 0, 512)).toBe('EIO');
  });

  it('lets afterOps matching operations pass first, counting only matching ones', () => {
    const { faults } = injector([ioError({ op: 'write', afterOps: 2 })]);
    expect(faults.ioError('hidden', 'read', 0, 512)).toBeNull();
    expect(faults.ioError('hidden', 'write', 0, 512)).toBeNull();
    expect(faults.ioError('hidden', 'write', 0, 512)).toBeNull();
    expect(faults.ioError('hidden', 'write', 0, 512)).toBe('EIO');
    expect(faults.ioError('hidden', 'write', 0, 512)).toBe('EIO');
  });

  it('fires only from fromTick on', () => {
    const { faults, clock } = injector([ioError({ fromTick: 1000 })]);
    clock.tick = 999;
    expect(faults.ioError('hidden', 'read', 0, 512)).toBeNull();
    clock.tick = 1000;
    expect(faults.ioError('hidden', 'read', 0, 512)).toBe('EIO');
  });

  it('fires `times` times, then never again; without `times` it persists', () => {
    const { faults } = injector([ioError({ times: 2 }), ioError({ node: 'active' })]);
    const hidden = Array.from({ length: 4 }, () => faults.ioError('hidden', 'read', 0, 512));
    const active = Array.from({ length: 4 }, () => faults.ioError('active', 'read', 0, 512));
    expect(hidden).toEqual(['EIO', 'EIO', null, null]);
    expect(active).toEqual(['EIO', 'EIO', 'EIO', 'EIO']);
    expect(faults.firedPerFault()).toEqual([2, 4]);
    expect(faults.firedCounts().get('io-error')).toBe(6);
  });

  it('lets the first matching rule win', () => {
    const { faults } = injector([ioError({ errno: 'ENOSPC', times: 1 }), ioError({ errno: 'EIO' })]);
    expect([faults.ioError('hidden', 'write', 0, 512), faults.ioError('hidden', 'write', 0, 512)]).toEqual(['ENOSPC', 'EIO']);
  });

  it('fires nothing once deactivated (the liveness phase)', () => {
    const { faults } = injector([ioError()]);
    faults.active = false;
    expect(faults.ioError('hidden', 'read', 0, 512)).toBeNull();
    expect(faults.firedPerFault()).toEqual([0]);
  });

  it('traces every fault that fires', () => {
    const { faults, trace, clock } = injector([ioError({ node: 'hidden', op: 'write', afterOps: 1 })]);
    faults.ioError('hidden', 'write', 0, 512);
    clock.tick = 70;
    faults.ioError('hidden', 'write', 4096, 1024);
    expect(trace.toJsonl()).toBe('{"seq":0,"t":70,"k":"fault","fault":0,"kind":"io-error","node":"hidden","op":"write","offset":4096,"bytes":1024,"errno":"EIO"}');
  });
});

describe('FaultInjector: latency', () => {
  it('adds the ticks of every matching rule inside its window and counts each delayed op', () => {
    const { faults, clock } = injector([
      { kind: 'latency', node: 'raw', op: 'any', ticks: 100 },
      { kind: 'latency', node: 'raw', op: 'write', ticks: 5, fromTick: 10, untilTick: 20 },
    ]);
    expect(faults.latencyTicks('other', 'write')).toBe(0);
    expect(faults.latencyTicks('raw', 'write')).toBe(100);
    clock.tick = 10;
    expect(faults.latencyTicks('raw', 'write')).toBe(105);
    expect(faults.latencyTicks('raw', 'read')).toBe(100);
    clock.tick = 20;
    expect(faults.latencyTicks('raw', 'write')).toBe(100);
    expect(faults.firedPerFault()).toEqual([4, 1]);
    expect(faults.firedCounts().get('latency')).toBe(5);
    faults.active = false;
    expect(faults.latencyTicks('raw', 'write')).toBe(0);
  });
});

describe('FaultInjector: link-drop', () => {
  it('drops after afterOps requests and stays down, even after faults stop', () => {
    const { faults, trace } = injector([{ kind: 'link-drop', link: 'link', afterOps: 2 }]);
    expect(faults.linkDropped('other')).toBe(false);
    expect([faults.linkDropped('link'), faults.linkDropped('link'), faults.linkDropped('link')]).toEqual([false, false, true]);
    faults.active = false;
    expect(faults.linkDropped('link')).toBe(true);
    expect(faults.firedPerFault()).toEqual([1]);
    expect(trace.toJsonl()).toBe('{"seq":0,"t":0,"k":"fault","fault":0,"kind":"link-drop","link":"link"}');
  });

  it('does not drop before fromTick, nor at all once deactivated before dropping', () => {
    const { faults, clock } = injector([{ kind: 'link-drop', link: 'link', fromTick: 50 }]);
    expect(faults.linkDropped('link')).toBe(false);
    clock.tick = 50;
    faults.active = false;
    expect(faults.linkDropped('link')).toBe(false);
    faults.active = true;
    expect(faults.linkDropped('link')).toBe(true);
  });
});

describe('FaultInjector: crash and job-fail', () => {
  it('crashes at the (afterHits+1)th hit of its point, once', () => {
    const { faults } = injector([{ kind: 'crash', point: 'secondary:after-checkpoint', afterHits: 1 }]);
    expect(faults.crashAt('primary:after-checkpoint')).toBe(false);
    const hits = Array.from({ length: 4 }, () => faults.crashAt('secondary:after-checkpoint'));
    expect(hits).toEqual([false, true, false, false]);
    expect(faults.firedCounts().get('crash')).toBe(1);
  });

  it('fails the backup job of the named node at its (afterOps+1)th copy, once', () => {
    const { faults } = injector([{ kind: 'job-fail', job: 'backup', node: 'secondary-disk0', afterOps: 1 }]);
    expect(faults.jobFails('backup', 'secondary-disk1')).toBe(false);
    const calls = Array.from({ length: 3 }, () => faults.jobFails('backup', 'secondary-disk0'));
    expect(calls).toEqual([false, true, false]);
  });

  it('fails any node\'s job when the fault names none', () => {
    const { faults } = injector([{ kind: 'job-fail', job: 'backup' }]);
    expect(faults.jobFails('backup', 'secondary-disk1')).toBe(true);
    expect(faults.jobFails('backup', 'secondary-disk0')).toBe(false);
  });
});

describe('FaultInjector: bookkeeping', () => {
  it('counts per fault in plan order and per kind', () => {
    const { faults } = injector([
      { kind: 'crash', point: 'p' },
      ioError(),
      { kind: 'link-drop', link: 'l' },
      { kind: 'job-fail', job: 'backup' },
      { kind: 'latency', node: 'hidden', op: 'read', ticks: 1 },
    ]);
    faults.crashAt('p');
    faults.ioError('hidden', 'read', 0, 512);
    faults.ioError('hidden', 'read', 0, 512);
    faults.linkDropped('l');
    faults.latencyTicks('hidden', 'read');
    expect(faults.firedPerFault()).toEqual([1, 2, 1, 0, 1]);
    expect([...faults.firedCounts()].sort()).toEqual([
      ['crash', 1],
      ['io-error', 2],
      ['latency', 1],
      ['link-drop', 1],
    ]);
    expect(faults.isEmpty).toBe(false);
  });

  it('an empty plan answers "no fault" everywhere', () => {
    const clock = new ManualClock();
    const faults = FaultInjector.none(clock, new Trace('off', clock));
    expect(faults.isEmpty).toBe(true);
    expect(faults.ioError('x', 'read', 0, 512)).toBeNull();
    expect(faults.latencyTicks('x', 'read')).toBe(0);
    expect(faults.linkDropped('x')).toBe(false);
    expect(faults.crashAt('x')).toBe(false);
    expect(faults.jobFails('backup', 'x')).toBe(false);
    expect(faults.firedPerFault()).toEqual([]);
  });
});
