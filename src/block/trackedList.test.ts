/*
 * TrackedRequests keeps the requests in flight in a list threaded through the requests, oldest
 * first: ending one from the front, the middle or the back must leave the others in order, and the
 * conflict a request waits for is the oldest one in flight, as with the Set this list replaced.
 */
import { describe, expect, it } from 'vitest';
import { Scheduler } from '../sim/Scheduler.js';
import { TrackedRequests } from './TrackedRequests.js';

describe('TrackedRequests: the list of requests in flight', () => {
  it('waits for the oldest overlapping serialising request, whichever others ended', async () => {
    const sched = new Scheduler();
    const tracked = new TrackedRequests(sched, 'n');
    const reqs = [0, 1, 2, 3].map(() => tracked.begin('write', 0, 512));
    for (const r of reqs) tracked.makeSerialising(r, 512);
    const [a, b, c, d] = reqs as [(typeof reqs)[0], (typeof reqs)[0], (typeof reqs)[0], (typeof reqs)[0]];
    // The middle first, then the front, then the back: each end unlinks one request.
    tracked.end(b);
    expect(tracked.size).toBe(3);
    const reader = tracked.begin('read', 0, 512);
    const waits: string[] = [];
    sched.spawn('reader', async () => {
      await tracked.waitConflicts(reader);
      waits.push(`reader went on with ${tracked.size} in flight`);
    });
    sched.spawn('ender', async () => {
      await sched.yield('let the reader wait');
      expect(reader.waitingFor).toBe(a);
      tracked.end(a);
      await sched.yield('let the reader wait again');
      expect(reader.waitingFor).toBe(c);
      tracked.end(d);
      tracked.end(c);
    });
    await sched.run();
    expect(waits).toEqual(['reader went on with 1 in flight']);
    // Ending a request twice changes nothing: the list is empty once the reader ends.
    tracked.end(reader);
    tracked.end(reader);
    expect(tracked.size).toBe(0);
    const next = tracked.begin('write', 0, 512);
    tracked.makeSerialising(next, 512);
    // With nothing to wait for, every request gets the same fulfilled promise: none is made per request.
    expect(tracked.size).toBe(1);
    expect(tracked.waitConflicts(next)).toBe(tracked.waitConflicts(tracked.begin('read', 4096, 512)));
  });
});
