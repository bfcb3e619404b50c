import { describe, expect, it } from 'vitest';
import { SimEnv } from '../sim/SimEnv.js';
import { BdrvChild } from './BdrvChild.js';
import { RawNode } from './RawNode.js';

describe('BdrvChild', () => {
  it('registers itself with its node and moves between nodes', () => {
    const env = new SimEnv();
    const a = new RawNode(env, 'a', 512);
    const b = new RawNode(env, 'b', 512);
    const edge = new BdrvChild({ name: 'owner', isBackend: false }, a, 'file');
    expect([edge.node, edge.role, a.parents.has(edge)]).toEqual([a, 'file', true]);
    edge.retarget(b);
    expect([edge.node, a.parents.has(edge), b.parents.has(edge)]).toEqual([b, false, true]);
    edge.retarget(b);
    expect(b.parents.size).toBe(1);
    edge.detach();
    expect(b.parents.size).toBe(0);
  });

  it('detaching a role on a node drops the edge from the child', () => {
    const env = new SimEnv();
    const top = new RawNode(env, 'top', 512);
    const below = new RawNode(env, 'below', 512);
    top.attach('backing', below);
    expect([top.backing, below.isRoot]).toEqual([below, false]);
    top.detach('backing');
    expect([top.backing, below.parents.size, below.isRoot]).toEqual([null, 0, true]);
  });
});
