/*
 * Drained sections (bdrv_drained_begin/end): every BlockBackend above a node stops admitting
 * requests, the ones in flight finish, and the waiting ones enter once the section ends.
 */
import { describe, expect, it } from 'vitest';
import { SimEnv } from '../sim/SimEnv.js';
import { BlockBackend } from './BlockBackend.js';
import { OverlayNode } from './OverlayNode.js';
import { RawNode } from './RawNode.js';
import { backendsAbove, drainedBegin } from './drain.js';
import { PassFilter } from './testing/PassFilter.js';
import { filled, run } from './testing/simHelpers.js';

const MiB = 1 << 20;

/** raw <- top (backend "b") and raw <- filter (backend "a"), with a second backend "c" on top. */
function diamond() {
  const env = new SimEnv();
  const raw = new RawNode(env, 'raw', MiB);
  raw.latencyTicks = 100;
  const top = new OverlayNode(env, 'top', MiB);
  top.attach('backing', raw);
  const filter = new PassFilter(env, 'filter', raw);
  const b = new BlockBackend('b', top);
  const a = new BlockBackend('a', filter);
  const c = new BlockBackend('c', top);
  return { env, raw, top, filter, a, b, c };
}

describe('drained sections', () => {
  it('finds every BlockBackend above a node once, by name', () => {
    const { env, raw, top, filter } = diamond();
    expect(backendsAbove(raw).map((blk) => blk.name)).toEqual(['a', 'b', 'c']);
    expect(backendsAbove(top).map((blk) => blk.name)).toEqual(['b', 'c']);
    expect(backendsAbove(filter).map((blk) => blk.name)).toEqual(['a']);
    // A cycle through the parents (a copy-before-write target that is also its filter's child) ends the walk.
    const target = new PassFilter(env, 'target', filter);
    raw.attach('cbw-target', target);
    expect(backendsAbove(target).map((blk) => blk.name)).toEqual(['a', 'b', 'c']);
  });

  it('waits for the requests in flight, holds new ones at their backend until the section ends', async () => {
    const { env, raw, a, b } = diamond();
    const log: string[] = [];
    env.sched.spawn('in-flight', async () => {
      await b.read(0, 512);
      log.push(`in-flight done @${env.now()}`);
    });
    env.sched.spawn('drain', async () => {
      await env.sched.sleep('later', 10);
      const section = await drainedBegin(raw, 'test drain');
      log.push(`drained @${env.now()}`);
      await env.sched.sleep('graph change', 50);
      section.end();
      log.push(`ended @${env.now()}`);
    });
    env.sched.spawn('late', async () => {
      await env.sched.sleep('later', 20);
      await a.write(0, filled(512, 1));
      log.push(`late write done @${env.now()}`);
    });
    await env.sched.run();
    expect(log).toEqual(['in-flight done @100', 'drained @100', 'ended @150', 'late write done @250']);
  });

  it('nests: requests wait until the last section ends, and a resume without quiesce is refused', async () => {
    const { env, raw, top, c } = diamond();
    const log: string[] = [];
    env.sched.spawn('drains', async () => {
      const outer = await drainedBegin(raw, 'outer');
      const inner = await drainedBegin(top, 'inner');
      await env.sched.sleep('graph change', 10);
      inner.end();
      log.push(`inner ended @${env.now()}`);
      await env.sched.sleep('graph change', 10);
      outer.end();
      log.push(`outer ended @${env.now()}`);
    });
    env.sched.spawn('request', async () => {
      await env.sched.sleep('later', 5);
      await c.read(0, 512);
      log.push(`read done @${env.now()}`);
    });
    await env.sched.run();
    expect(log).toEqual(['inner ended @10', 'outer ended @20', 'read done @120']);
    expect(() => c.resume()).toThrow(new Error('c: resume without quiesce'));
    expect(await run(env, () => c.read(0, 512))).toEqual(new Uint8Array(512));
  });
});
