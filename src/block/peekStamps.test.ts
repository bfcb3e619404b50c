/*
 * peekStamps says when anything a peek of a chunk reads last changed (WriteClock.ts): a write,
 * a zero or a clear of any store below, an overlay linking a cluster, a graph edge moved; a chunk
 * nothing touched keeps its stamp, and a node that cannot be peeked answers Infinity.
 */
import { describe, expect, it } from 'vitest';
import { SimEnv } from '../sim/SimEnv.js';
import { OverlayNode } from './OverlayNode.js';
import { RawNode } from './RawNode.js';
import { CHUNK_SIZE } from './SectorStore.js';
import { filled, run } from './testing/simHelpers.js';
import { currentTick } from './WriteClock.js';

const CS = 65536;

/** raw <- hidden <- active, 256 KiB, 64 KiB clusters. */
function chain() {
  const env = new SimEnv({ traceLevel: 'full', faults: [] });
  const raw = new RawNode(env, 'raw', 4 * CS, { fill: 0xaa });
  const hidden = new OverlayNode(env, 'hidden', 4 * CS);
  hidden.attach('backing', raw);
  const active = new OverlayNode(env, 'active', 4 * CS);
  active.attach('backing', hidden);
  return { env, raw, hidden, active };
}

/** The stamps of chunks [first, first + count) as seen through `node`. */
function stampsOf(node: RawNode | OverlayNode, first: number, count: number): number[] {
  const into = new Float64Array(count);
  node.peekStamps(first * CHUNK_SIZE, count * CHUNK_SIZE, into, first);
  return [...into];
}

describe('peekStamps', () => {
  it('moves for the chunks a write below reaches, and only for them', async () => {
    const { env, raw, active } = chain();
    const before = stampsOf(active, 0, 4);
    const t = currentTick();
    await run(env, () => raw.write(CHUNK_SIZE, filled(CHUNK_SIZE, 1)));
    const after = stampsOf(active, 0, 4);
    expect([after[0], after[2], after[3]]).toEqual([before[0], before[2], before[3]]);
    expect(before.every((s) => s <= t)).toBe(true);
    expect(after[1]).toBeGreaterThan(t);
  });

  it('moves over a whole cluster an overlay allocates, and when it is emptied', async () => {
    const { env, active } = chain();
    const t = currentTick();
    await run(env, () => active.write(CS, filled(512, 2)));
    const allocated = stampsOf(active, CS / CHUNK_SIZE, CS / CHUNK_SIZE);
    expect(allocated.every((s) => s > t)).toBe(true);
    expect(stampsOf(active, 0, 1)[0]).toBeLessThanOrEqual(t);
    const u = currentTick();
    await run(env, () => active.makeEmpty());
    expect(stampsOf(active, 0, 1)[0]).toBeGreaterThan(u);
  });

  it('moves everywhere when an edge moves, and is Infinity once the node is closed', () => {
    const { raw, hidden, active } = chain();
    const t = currentTick();
    active.detach('backing');
    active.attach('backing', raw);
    expect(stampsOf(active, 3, 1)[0]).toBeGreaterThan(t);
    hidden.open = false;
    expect(stampsOf(active, 3, 1)[0]).not.toBe(Infinity);
    active.detach('backing');
    active.attach('backing', hidden);
    expect(stampsOf(active, 3, 1)[0]).toBe(Infinity);
  });
});
