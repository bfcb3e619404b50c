/*
 * The names one QEMU process knows, looked up as bdrv_lookup_bs does: a BlockBackend's name first
 * (its root node, or nothing when it has no medium), then a node name.
 */
import { describe, expect, it } from 'vitest';
import { SimEnv } from '../sim/SimEnv.js';
import { BlockBackend } from './BlockBackend.js';
import { NodeRegistry } from './NodeRegistry.js';
import { RawNode } from './RawNode.js';

const MiB = 1 << 20;

describe('NodeRegistry', () => {
  it('finds nodes by name and backends by drive id, and refuses a name twice', () => {
    const env = new SimEnv();
    const registry = new NodeRegistry();
    const a = new RawNode(env, 'a', MiB);
    const b = new RawNode(env, 'b', MiB);
    registry.addNode(a);
    registry.addNode(b);
    const blk = new BlockBackend('disk0', b);
    registry.addBackend(blk);
    expect(() => registry.addNode(new RawNode(env, 'a', MiB))).toThrow(new Error('duplicate node name a'));
    expect(() => registry.addBackend(new BlockBackend('disk0', a))).toThrow(new Error('duplicate BlockBackend name disk0'));
    expect([registry.node('a'), registry.node('disk0'), registry.backend('disk0'), registry.backend('a')]).toEqual([a, undefined, blk, undefined]);
    expect([...registry.allNodes()]).toEqual([a, b]);
    registry.removeNode('a');
    expect([registry.node('a'), [...registry.allNodes()]]).toEqual([undefined, [b]]);
  });

  it('looks a name up as a BlockBackend first, then as a node; a backend without medium finds nothing', () => {
    const env = new SimEnv();
    const registry = new NodeRegistry();
    const root = new RawNode(env, 'root', MiB);
    // A node that bears the drive's name is shadowed by the drive.
    const namesake = new RawNode(env, 'disk0', MiB);
    registry.addNode(root);
    registry.addNode(namesake);
    const blk = new BlockBackend('disk0', root);
    registry.addBackend(blk);
    expect([registry.lookup('disk0'), registry.lookup('root'), registry.lookup('nothing')]).toEqual([root, root, undefined]);
    blk.eject();
    expect(registry.lookup('disk0')).toBeUndefined();
  });
});
