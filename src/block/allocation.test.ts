import { describe, expect, it } from 'vitest';
import { SimEnv } from '../sim/SimEnv.js';
import { OverlayNode } from './OverlayNode.js';
import { RawNode } from './RawNode.js';
import { isAllocatedAbove } from './allocation.js';
import { insertFilterAbove } from './graph.js';
import { PassFilter } from './testing/PassFilter.js';
import { filled, run } from './testing/simHelpers.js';

const CS = 65536;
const SIZE = 8 * CS;

/**
 * raw <- hidden <- active over 8 clusters:
 *   cluster: 0  1  2  3  4  5  6  7
 *   active:  .  D  D  .  Z  .  .  .
 *   hidden:  .  .  .  D  .  .  D  .
 */
async function setup() {
  const env = new SimEnv();
  const raw = new RawNode(env, 'raw', SIZE);
  const hidden = new OverlayNode(env, 'hidden', SIZE);
  hidden.attach('backing', raw);
  const active = new OverlayNode(env, 'active', SIZE);
  active.attach('backing', hidden);
  await run(env, async () => {
    await active.write(CS + 512, filled(512, 1));
    await active.write(2 * CS, filled(CS, 1));
    await active.writeZeroes(4 * CS, CS);
    await hidden.write(3 * CS, filled(512, 2));
    await hidden.write(6 * CS + CS - 512, filled(512, 2));
  });
  return { env, raw, hidden, active };
}

describe('blockStatus', () => {
  it('reports runs of equal status that end on cluster boundaries', async () => {
    const { env, active } = await setup();
    const status = (offset: number, bytes = SIZE - offset) => run(env, () => active.blockStatus(offset, bytes));
    expect(await status(0)).toEqual({ kind: 'unallocated', bytes: CS });
    expect(await status(100 * 512)).toEqual({ kind: 'unallocated', bytes: CS - 100 * 512 });
    expect(await status(CS)).toEqual({ kind: 'data', bytes: 2 * CS });
    expect(await status(CS + 4096)).toEqual({ kind: 'data', bytes: 2 * CS - 4096 });
    expect(await status(CS, 1000)).toEqual({ kind: 'data', bytes: 1000 });
    expect(await status(3 * CS)).toEqual({ kind: 'unallocated', bytes: CS });
    expect(await status(4 * CS)).toEqual({ kind: 'zero', bytes: CS });
    expect(await status(5 * CS)).toEqual({ kind: 'unallocated', bytes: 3 * CS });
  });
});

describe('isAllocatedAbove', () => {
  it('answers for the whole chain above the base, cutting runs where a lower layer changes', async () => {
    const { env, raw, active } = await setup();
    const above = (offset: number) => run(env, () => isAllocatedAbove(active, raw, offset, SIZE - offset));
    expect(await above(0)).toEqual({ allocated: false, bytes: CS });
    expect(await above(CS)).toEqual({ allocated: true, bytes: 2 * CS });
    expect(await above(3 * CS)).toEqual({ allocated: true, bytes: CS });
    // Zero clusters shadow what lies below: they count as allocated.
    expect(await above(4 * CS)).toEqual({ allocated: true, bytes: CS });
    // Unallocated in active for 3 clusters, but hidden holds cluster 6: the run stops there.
    expect(await above(5 * CS)).toEqual({ allocated: false, bytes: CS });
    expect(await above(5 * CS + 1024)).toEqual({ allocated: false, bytes: CS - 1024 });
    expect(await above(6 * CS)).toEqual({ allocated: true, bytes: CS });
    expect(await above(7 * CS)).toEqual({ allocated: false, bytes: CS });
  });

  it('looks only at layers strictly above the base', async () => {
    const { env, hidden, active } = await setup();
    expect(await run(env, () => isAllocatedAbove(active, hidden, 3 * CS, SIZE - 3 * CS))).toEqual({ allocated: false, bytes: CS });
    expect(await run(env, () => isAllocatedAbove(active, hidden, 5 * CS, SIZE - 5 * CS))).toEqual({ allocated: false, bytes: 3 * CS });
    expect(await run(env, () => isAllocatedAbove(active, active, CS, CS))).toEqual({ allocated: false, bytes: CS });
    // With no base the raw image at the bottom holds everything, for as long as the layers above
    // agree they hold nothing (active's first unallocated run is one cluster).
    expect(await run(env, () => isAllocatedAbove(active, null, 0, SIZE))).toEqual({ allocated: true, bytes: CS });
  });

  it('passes through filters to their file child', async () => {
    const { env, raw, hidden, active } = await setup();
    insertFilterAbove(hidden, new PassFilter(env, 'filter'));
    expect(await run(env, () => isAllocatedAbove(active, raw, 5 * CS, SIZE - 5 * CS))).toEqual({ allocated: false, bytes: CS });
    expect(await run(env, () => isAllocatedAbove(active, raw, 6 * CS, SIZE - 6 * CS))).toEqual({ allocated: true, bytes: CS });
  });

  it('treats offsets past a shorter lower layer as unallocated there', async () => {
    const env = new SimEnv();
    const small = new OverlayNode(env, 'small', 2 * CS);
    const top = new OverlayNode(env, 'top', SIZE);
    top.attach('backing', small);
    await run(env, () => small.write(0, filled(512, 1)));
    expect(await run(env, () => isAllocatedAbove(top, null, 4 * CS, 4 * CS))).toEqual({ allocated: false, bytes: 4 * CS });
    // From the lower layer's very end, and from inside it where it is shorter than the run above.
    expect(await run(env, () => isAllocatedAbove(top, null, 2 * CS, 2 * CS))).toEqual({ allocated: false, bytes: 2 * CS });
    expect(await run(env, () => isAllocatedAbove(top, null, CS, SIZE - CS))).toEqual({ allocated: false, bytes: CS });
    expect(await run(env, () => isAllocatedAbove(top, null, 0, SIZE))).toEqual({ allocated: true, bytes: CS });
  });
});
