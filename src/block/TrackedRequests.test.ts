import { describe, expect, it } from 'vitest';
import { encodeRuns } from '../scenario/runs.js';
import { SimEnv } from '../sim/SimEnv.js';
import { Scheduler } from '../sim/Scheduler.js';
import { RawNode } from './RawNode.js';
import { TrackedRequests } from './TrackedRequests.js';
import { filled } from './testing/simHelpers.js';

const MiB = 1 << 20;


/** A raw node of 100-tick latency, and `at(ticks, name, fn)`: run fn after `ticks`, then log "name@tick" in `done`. */
function timeline() {
  const env = new SimEnv();
  const raw = new RawNode(env, 'raw', MiB);
  raw.latencyTicks = 100;
  const done: string[] = [];
  const at = (ticks: number, name: string, fn: () => Promise<unknown>) =>
    env.sched.spawn(name, async () => {
      await env.sched.sleep('later', ticks);
      await fn();
      done.push(`${name}@${env.now()}`);
    });
  return { env, raw, done, at };
}

describe('TrackedRequests: overlap and serialising', () => {
  it('widens a serialising request to its alignment', () => {
    const tracked = new TrackedRequests(new Scheduler(), 'n');
    const req = tracked.begin('write', 1000, 100);
    expect([req.overlapOffset, req.overlapBytes, req.serialising]).toEqual([1000, 100, false]);
    tracked.makeSerialising(req, 512);
    expect([req.overlapOffset, req.overlapBytes, req.serialising]).toEqual([512, 1024, true]);
    tracked.makeSerialising(req, 65536);
    expect([req.overlapOffset, req.overlapBytes]).toEqual([0, 65536]);
    // A smaller alignment afterwards never narrows it.
    tracked.makeSerialising(req, 512);
    expect([req.overlapOffset, req.overlapBytes]).toEqual([0, 65536]);
  });

  it('keeps the old end when a later alignment moves only the start', () => {
    const tracked = new TrackedRequests(new Scheduler(), 'n');
    const req = tracked.begin('write', 4, 1);
    tracked.makeSerialising(req, 4);
    expect([req.overlapOffset, req.overlapBytes]).toEqual([4, 4]);
    tracked.makeSerialising(req, 3);
    expect([req.overlapOffset, req.overlapBytes]).toEqual([3, 5]);
  });

  it('treats ranges as half-open', () => {
    const tracked = new TrackedRequests(new Scheduler(), 'n');
    const a = tracked.begin('read', 0, 512);
    const b = tracked.begin('read', 512, 512);
    const c = tracked.begin('read', 511, 2);
    expect([a.overlaps(b), b.overlaps(a), a.overlaps(c), b.overlaps(c)]).toEqual([false, false, true, true]);
    expect(c.label).toBe('n:read[511,+2]');
    expect(tracked.size).toBe(3);
  });
});

/** Runs `first` now and `second` 10 ticks later on a raw node whose I/O takes 100 ticks; returns completion ticks. */
async function race(first: (raw: RawNode) => Promise<unknown>, second: (raw: RawNode) => Promise<unknown>): Promise<{ first: number; second: number; raw: RawNode; env: SimEnv }> {
  const env = new SimEnv();
  const raw = new RawNode(env, 'raw', MiB);
  raw.latencyTicks = 100;
  const done = { first: -1, second: -1 };
  env.sched.spawn('first', async () => {
    await first(raw);
    done.first = env.now();
  });
  env.sched.spawn('second', async () => {
    await env.sched.sleep('later', 10);
    await second(raw);
    done.second = env.now();
  });
  await env.sched.run();
  return { ...done, raw, env };
}

describe('TrackedRequests: waits through a node', () => {
  it('makes a serialising (unaligned) write wait for an overlapping read in flight', async () => {
    const r = await race(
      (raw) => raw.read(0, 4096),
      (raw) => raw.write(100, filled(10, 1)),
    );
    // The write starts when the read ends (100), then reads (200) and writes (300) its padded sector.
    expect(r).toMatchObject({ first: 100, second: 300 });
  });

  it('makes an ordinary read wait for an overlapping serialising write', async () => {
    const r = await race(
      (raw) => raw.write(100, filled(10, 1)),
      (raw) => raw.read(0, 512),
    );
    expect(r).toMatchObject({ first: 200, second: 300 });
  });

  it('lets non-overlapping requests run side by side', async () => {
    const r = await race(
      (raw) => raw.read(0, 4096),
      (raw) => raw.write(4096 + 100, filled(10, 1)),
    );
    expect(r).toMatchObject({ first: 100, second: 210 });
  });

  it('tracks a read over its own sectors only', async () => {
    const r = await race(
      (raw) => raw.read(8192, 512),
      (raw) => raw.write(8192 + 4096 + 100, filled(10, 1)),
    );
    expect(r).toMatchObject({ first: 100, second: 210 });
  });

  it('honours a requested serialising alignment on write-zeroes, and makes a plain one wait for nothing', async () => {
    const aligned = await race(
      (raw) => raw.read(60000 - (60000 % 512), 512),
      (raw) => raw.writeZeroes(0, 512, { serialisingAlign: 65536 }),
    );
    expect(aligned).toMatchObject({ first: 100, second: 200 });
    const plain = await race(
      (raw) => raw.read(0, 512),
      (raw) => raw.writeZeroes(0, 512),
    );
    expect(plain).toMatchObject({ first: 100, second: 110 });
  });

  it('lets overlapping ordinary requests run side by side', async () => {
    const r = await race(
      (raw) => raw.read(0, 4096),
      (raw) => raw.write(0, filled(4096, 1)),
    );
    expect(r).toMatchObject({ first: 100, second: 110 });
  });

  it('honours a requested serialising alignment on aligned writes', async () => {
    const r = await race(
      (raw) => raw.read(60000 - 60000 % 512, 512),
      (raw) => raw.write(0, filled(512, 1), { serialisingAlign: 65536 }),
    );
    expect(r).toMatchObject({ first: 100, second: 200 });
  });

  it('does not deadlock on mutually overlapping serialising writes, and loses neither update', async () => {
    for (const policy of ['fifo', 'random'] as const) {
      for (let seed = 0; seed < 8; seed++) {
        const env = new SimEnv({ seed, policy });
        const raw = new RawNode(env, 'raw', MiB, { fill: 0xaa });
        raw.latencyTicks = 10;
        // Four unaligned writes into the same two sectors, all in flight at once.
        const writes = [0, 300, 600, 900].map((offset, i) => env.sched.spawn(`w${i}`, () => raw.write(offset, filled(100, i + 1))));
        await env.sched.run();
        expect(writes.every((w) => w.done && w.outcome?.ok)).toBe(true);
        const task = env.sched.spawn('check', () => raw.read(0, 1024));
        await env.sched.run();
        expect(encodeRuns(task.result())).toEqual([
          [1, 100],
          [0xaa, 200],
          [2, 100],
          [0xaa, 200],
          [3, 100],
          [0xaa, 200],
          [4, 100],
          [0xaa, 24],
        ]);
        expect(raw.tracked.size).toBe(0);
      }
    }
  });
});

describe('TrackedRequests: bookkeeping across requests', () => {
  it('a serialising write that waited and went on is waited for by a later overlapping read', async () => {
    const { env, raw, done, at } = timeline();
    // w1 pads sector 0 (read 0-100, write 100-200); w2 waits for it, then pads (200-300) and writes (300-400).
    at(0, 'w1', () => raw.write(100, filled(10, 1)));
    at(10, 'w2', () => raw.write(200, filled(10, 2)));
    // r arrives while w2 writes, after w2's wait ended: it waits for w2.
    at(250, 'r', () => raw.read(0, 512));
    await env.sched.run();
    expect(done).toEqual(['w1@200', 'w2@400', 'r@500']);
  });

  it('an ordinary request that ended leaves a later serialising write to be waited for', async () => {
    const { env, raw, done, at } = timeline();
    at(0, 'r1', () => raw.read(4096, 512));
    at(100, 'w', () => raw.write(100, filled(10, 1)));
    at(110, 'r2', () => raw.read(0, 512));
    await env.sched.run();
    expect(done).toEqual(['r1@100', 'w@300', 'r2@400']);
    expect(raw.tracked.size).toBe(0);
  });

  it('makes a waiting request wait again when another conflicting one is still in flight', async () => {
    const { env, raw, done, at } = timeline();
    // Two reads in flight, ending at 100 and 150; a serialising write over both waits for each in
    // turn, then reads its two edge sectors in one request (bdrv_padding_rmw_read's merge_reads:
    // the padded request is two sectors with both edges padded) and writes.
    at(0, 'short', () => raw.read(0, 512));
    at(50, 'long', () => raw.read(512, 512));
    at(60, 'w', () => raw.write(500, filled(20, 1)));
    await env.sched.run();
    expect(done).toEqual(['short@100', 'long@150', 'w@350']);
  });
});

describe('TrackedRequests: conflicts only where a serialising request is involved', () => {
  it('lets two overlapping ordinary requests run side by side while a serialising one runs elsewhere', async () => {
    const { env, raw, done, at } = timeline();
    at(0, 'far', () => raw.write(8192 + 100, filled(10, 1)));
    at(0, 'read', () => raw.read(0, 512));
    at(10, 'write', () => raw.write(0, filled(512, 2)));
    await env.sched.run();
    expect(done).toEqual(['read@100', 'write@110', 'far@200']);
  });

  it('finishes three serialising writes into one sector, one after another, keeping every update', async () => {
    for (const policy of ['fifo', 'random'] as const) {
      for (let seed = 0; seed < 8; seed++) {
        const env = new SimEnv({ seed, policy });
        const raw = new RawNode(env, 'raw', MiB, { fill: 0xaa });
        raw.latencyTicks = 10;
        const writes = [0, 100, 200].map((offset, i) => env.sched.spawn(`w${i}`, () => raw.write(offset, filled(10, i + 1))));
        await env.sched.run();
        expect(writes.every((w) => w.done && w.outcome?.ok)).toBe(true);
        const task = env.sched.spawn('check', () => raw.read(0, 512));
        await env.sched.run();
        expect(encodeRuns(task.result())).toEqual([
          [1, 10],
          [0xaa, 90],
          [2, 10],
          [0xaa, 90],
          [3, 10],
          [0xaa, 302],
        ]);
      }
    }
  });
});
