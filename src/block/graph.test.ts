import { describe, expect, it } from 'vitest';
import { encodeRuns } from '../scenario/runs.js';
import { SimEnv } from '../sim/SimEnv.js';
import { BlockBackend } from './BlockBackend.js';
import type { BlockNode } from './BlockNode.js';
import { OverlayNode } from './OverlayNode.js';
import { RawNode } from './RawNode.js';
import { PassFilter } from './testing/PassFilter.js';
import { dropFilter, filterOrCowChild, insertFilterAbove, isBelow, replaceNode } from './graph.js';
import { run } from './testing/simHelpers.js';

const MiB = 1 << 20;

/** A filter that passes I/O to its file child and counts what went through it. */
class CountingFilter extends PassFilter {
  passed = 0;
  constructor(env: SimEnv, name: string) {
    super(env, name, undefined, { driver: 'counting' });
  }
  protected override doRead(offset: number, bytes: number): Promise<Uint8Array> {
    this.passed++;
    return super.doRead(offset, bytes);
  }
  protected override doWrite(offset: number, data: Uint8Array): Promise<void> {
    this.passed++;
    return super.doWrite(offset, data);
  }
}

function setup() {
  const env = new SimEnv();
  const raw = new RawNode(env, 'raw', MiB, { fill: 0xaa });
  const hidden = new OverlayNode(env, 'hidden', MiB);
  hidden.attach('backing', raw);
  const active = new OverlayNode(env, 'active', MiB);
  active.attach('backing', hidden);
  const blk = new BlockBackend('blk', active);
  return { env, raw, hidden, active, blk };
}

const parentNames = (node: BlockNode): string[] => [...node.parents].map((e) => `${e.parent.name}.${e.role}`).sort();

describe('graph surgery', () => {
  it('insertFilterAbove moves every parent onto the filter, and dropFilter moves them back', async () => {
    const { env, hidden, active, raw } = setup();
    const filter = new CountingFilter(env, 'cbw');
    insertFilterAbove(hidden, filter);
    expect(active.backing).toBe(filter);
    expect(filter.file).toBe(hidden);
    expect(parentNames(hidden)).toEqual(['cbw.file']);
    expect(parentNames(filter)).toEqual(['active.backing']);
    expect(filterOrCowChild(active)).toBe(filter);
    expect(filterOrCowChild(filter)).toBe(hidden);
    // Reads through the top now pass the filter.
    await run(env, () => raw.write(0, new Uint8Array(512).fill(1)));
    expect(encodeRuns(await run(env, () => active.read(0, 1024)))).toEqual([
      [1, 512],
      [0xaa, 512],
    ]);
    expect(filter.passed).toBe(1);

    dropFilter(filter);
    expect(active.backing).toBe(hidden);
    expect(filter.file).toBeNull();
    expect(filter.parents.size).toBe(0);
    expect(parentNames(hidden)).toEqual(['active.backing']);
    await run(env, () => active.read(0, 512));
    expect(filter.passed).toBe(1);
  });

  it('insertFilterAbove the root moves the BlockBackend too', () => {
    const { env, active, blk } = setup();
    const filter = new CountingFilter(env, 'top-filter');
    insertFilterAbove(active, filter);
    expect(blk.node).toBe(filter);
    expect([filter.hasBackend, active.hasBackend, active.isRoot]).toEqual([true, false, false]);
    dropFilter(filter);
    expect(blk.node).toBe(active);
  });

  it('dropFilter refuses a filter without a file child', () => {
    const { env } = setup();
    expect(() => dropFilter(new CountingFilter(env, 'lonely'))).toThrow('lonely has no file child to fall back to');
  });

  it('replaceNode moves every parent edge except the replacement\'s own and the kept ones', () => {
    const { env, hidden, active, blk } = setup();
    // The commit's final rewiring: the backend and another user move from active to hidden.
    const other = new CountingFilter(env, 'other');
    other.attach('file', active);
    const keeper = new CountingFilter(env, 'keeper');
    keeper.attach('file', active);
    replaceNode(active, hidden, [keeper]);
    expect(blk.node).toBe(hidden);
    expect(other.file).toBe(hidden);
    expect(keeper.file).toBe(active);
    expect(parentNames(hidden)).toEqual(['active.backing', 'blk.root', 'other.file']);
    expect(parentNames(active)).toEqual(['keeper.file']);
  });

  it('replaceNode leaves the replacement\'s own link to the replaced node alone (a filter taking its child\'s place)', () => {
    const { env, hidden, active } = setup();
    const filter = new CountingFilter(env, 'filter');
    filter.attach('file', hidden);
    replaceNode(hidden, filter);
    expect([active.backing, filter.file]).toEqual([filter, hidden]);
    expect(parentNames(hidden)).toEqual(['filter.file']);
  });

  it('isBelow follows every child link', () => {
    const { env, raw, hidden, active } = setup();
    const side = new RawNode(env, 'side', MiB);
    active.attach('secondary', side);
    expect([isBelow(active, raw), isBelow(active, side), isBelow(active, active)]).toEqual([true, true, true]);
    expect([isBelow(raw, active), isBelow(hidden, side)]).toEqual([false, false]);
    // A cycle (as through a copy-before-write filter's target) ends the search instead of looping.
    const target = new PassFilter(env, 'target', hidden);
    hidden.attach('cbw-target', target);
    expect([isBelow(target, active), isBelow(target, raw)]).toEqual([false, true]);
  });

  it('refuses a second child in the same role', () => {
    const { env, active } = setup();
    expect(() => active.attach('backing', new RawNode(env, 'x', MiB))).toThrow('active already has a backing child');
  });
});
