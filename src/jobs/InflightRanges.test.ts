// The in-flight list's overlap rule: ranges are half-open, so a request that only touches an
// in-flight one's edge goes on at once; one that overlaps waits for it, and for every other
// overlapping range, before it returns.
import { describe, expect, it } from 'vitest';
import { SimEnv } from '../sim/SimEnv.js';
import { InflightRanges } from './InflightRanges.js';

describe('InflightRanges', () => {
  it('lets an adjacent range through and holds an overlapping one until the range ends', async () => {
    const env = new SimEnv({});
    const ranges = new InflightRanges(env.sched, 'inflight');
    const busy = ranges.begin(100, 200);
    expect(ranges.size).toBe(1);
    const log: string[] = [];
    const waiter = (name: string, start: number, end: number) =>
      env.sched.spawn(name, async () => {
        await ranges.waitOverlapping(start, end, name);
        log.push(name);
      });
    waiter('below', 0, 100);
    waiter('above', 200, 300);
    waiter('last-byte', 199, 300);
    waiter('first-byte', 0, 101);
    env.sched.spawn('owner', async () => {
      await env.sched.yield('owner');
      log.push('end');
      ranges.end(busy);
    });
    await env.sched.run();
    expect(log).toEqual(['below', 'above', 'end', 'last-byte', 'first-byte']);
    expect(ranges.size).toBe(0);
  });

  it('waits for every overlapping range, not only the first', async () => {
    const env = new SimEnv({});
    const ranges = new InflightRanges(env.sched, 'inflight');
    const first = ranges.begin(0, 100);
    const second = ranges.begin(50, 150);
    const log: string[] = [];
    env.sched.spawn('waiter', async () => {
      await ranges.waitOverlapping(60, 70, 'waiter');
      log.push('waiter');
    });
    env.sched.spawn('owner', async () => {
      await env.sched.yield('owner');
      log.push('end first');
      ranges.end(first);
      await env.sched.yield('owner');
      await env.sched.yield('owner');
      log.push('end second');
      ranges.end(second);
    });
    await env.sched.run();
    expect(log).toEqual(['end first', 'end second', 'waiter']);
  });
});
