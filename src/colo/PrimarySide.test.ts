/*
 * The primary QEMU as the pair builds it: per disk the local raw image and the replication node
 * over the NBD link to the secondary's colo1 export, both under a quorum; its exports; the link's
 * view of a dead peer; x-blockdev-change and blockdev-del of the replication node.
 */
import { describe, expect, it } from 'vitest';
import { BlockError } from '../block/BlockError.js';
import { QemuError } from '../replication/QemuError.js';
import { QEMU_7_2 } from '../replication/Profile.js';
import { encodeRuns } from '../scenario/runs.js';
import type { TimingSpec } from '../scenario/Scenario.js';
import { SimEnv } from '../sim/SimEnv.js';
import { ColoPair } from './ColoPair.js';
import { filled, run } from '../block/testing/simHelpers.js';

const CS = 65536;
const SIZE = 16 * CS;

function coloPair(options: { disks?: number; timing?: Partial<TimingSpec> } = {}) {
  const env = new SimEnv({ traceLevel: 'full' });
  const timing: TimingSpec = { diskLatencyTicks: 0, linkLatencyTicks: 0, commitChunkBytes: CS, commitPaceTicks: 0, ...options.timing };
  const pair = new ColoPair(env, { disks: options.disks ?? 1, sizeBytes: SIZE, pattern: 0x11, rules: QEMU_7_2, timing, chain: 'standard' });
  return { env, pair, p: pair.primary.disks[0]!, s: pair.secondary.disks[0]! };
}

async function startBoth(env: SimEnv, pair: ColoPair): Promise<void> {
  await run(env, async () => {
    await pair.secondary.xenSetReplication(true, false);
    await pair.primary.xenSetReplication(true, true);
  });
}

/** "ok", QEMU's message, or "<errno>: <message>" of an I/O error; anything else fails the test. */
async function outcome(env: SimEnv, fn: () => Promise<unknown>): Promise<string> {
  return run(env, () =>
    fn().then(
      () => 'ok',
      (e: unknown) => {
        if (e instanceof QemuError) return e.message;
        if (e instanceof BlockError) return `${e.errno}: ${e.message}`;
        throw e;
      },
    ),
  );
}

describe('PrimarySide: images and exports', () => {
  it('the local disk is a raw image with the disk latency; the VM reads it alone (fifo)', async () => {
    const { env, pair, p } = coloPair({ timing: { diskLatencyTicks: 4, linkLatencyTicks: 10 } });
    expect([p.local.format, p.local.filename, p.local.latencyTicks]).toEqual(['raw', 'primary-disk.raw', 4]);
    expect(pair.primary.registry.node('primary-disk')).toBe(p.local);
    const t0 = env.now();
    expect(encodeRuns(await run(env, () => p.vm.read(0, 512)))).toEqual([[0x11, 512]]);
    expect(env.now() - t0).toBe(4);
  });

  it('exports primary-vm on the quorum, replication-primary on the replication node and primary-disk on the local disk', async () => {
    const { env, pair, p, s } = coloPair();
    const server = pair.primary.server;
    expect([server.get('primary-vm')?.blk, server.get('replication-primary')?.blk.node, server.get('primary-disk')?.blk.node]).toEqual([p.vm, p.replication, p.local]);
    expect(p.vm.node).toBe(p.quorum);
    await startBoth(env, pair);
    // Through primary-disk a write reaches the local disk only; through replication-primary, the secondary only.
    await run(env, () => server.get('primary-disk')!.write(0, filled(512, 0x31)));
    await run(env, () => server.get('replication-primary')!.write(CS, filled(512, 0x32)));
    expect([encodeRuns(p.local.peek(0, 512)), encodeRuns(s.disk.peek(0, 512))]).toEqual([[[0x31, 512]], [[0x11, 512]]]);
    expect([encodeRuns(p.local.peek(CS, 512)), encodeRuns(s.disk.peek(CS, 512))]).toEqual([[[0x11, 512]], [[0x32, 512]]]);
  });

  it("a second disk has its own suffixed nodes, exports and link to the secondary's colo1.1", async () => {
    const { env, pair } = coloPair({ disks: 2 });
    const d = pair.primary.disks[1]!;
    expect([d.index, d.local.name, d.link.name, d.replication.name, d.quorum.name, d.vm.name]).toEqual([
      1,
      'primary-disk.1',
      'link.1',
      'replication-primary.1',
      'quorum.1',
      'primary-vm.1',
    ]);
    expect(['link.1', 'replication-primary.1', 'quorum.1'].map((n) => pair.primary.registry.node(n)?.name)).toEqual(['link.1', 'replication-primary.1', 'quorum.1']);
    expect([pair.primary.server.get('replication-primary.1')?.blk.node, pair.primary.server.get('primary-disk.1')?.blk.node]).toEqual([d.replication, d.local]);
    await startBoth(env, pair);
    await run(env, () => d.vm.write(0, filled(512, 0x44)));
    const second = pair.secondary.disks;
    expect([encodeRuns(second[1]!.disk.peek(0, 512)), encodeRuns(second[0]!.disk.peek(0, 512))]).toEqual([[[0x44, 512]], [[0x11, 512]]]);
  });
});

describe('PrimarySide: the link to a dead secondary', () => {
  it('finds no export once the secondary is gone, whatever its server still holds', async () => {
    const { env, pair, p } = coloPair({ timing: { linkLatencyTicks: 3 } });
    pair.secondary.die('lost');
    expect(await outcome(env, () => p.link.read(0, 512))).toBe('EIO: link: the export is gone');
    expect(p.link.isConnected).toBe(false);
  });
});

describe('PrimarySide: x-blockdev-change and blockdev-del', () => {
  it('blockdev-del takes the replication node out of the quorum, the server and the registry; a second one finds nothing', async () => {
    const { env, pair, p } = coloPair();
    await startBoth(env, pair);
    expect(await outcome(env, () => pair.deleteReplication('primary', 0))).toBe('ok');
    expect([p.quorum.childCount, pair.primary.server.get('replication-primary'), pair.primary.registry.node('replication-primary')]).toEqual([1, undefined, undefined]);
    expect(pair.primary.server.get('primary-vm')).toBeDefined();
    expect(await outcome(env, () => pair.deleteReplication('primary', 0))).toBe("Failed to find node with node-name='replication-primary'");
    expect(p.quorum.childCount).toBe(1);
    expect(env.trace.eventsOf('command').slice(-4).map((e) => `${e.fields.side}:${e.fields.command}:${e.fields.event}:${e.fields.ok}`)).toEqual([
      'primary:blockdev-del:begin:undefined',
      'primary:blockdev-del:end:true',
      'primary:blockdev-del:begin:undefined',
      'primary:blockdev-del:end:false',
    ]);
  });

  it('after failover took the child out, blockdev-del of the replication node still succeeds', async () => {
    const { env, pair, p } = coloPair();
    await startBoth(env, pair);
    await run(env, () => pair.failover('secondary'));
    expect(p.quorum.childCount).toBe(1);
    expect(await outcome(env, () => pair.deleteReplication('primary', 0))).toBe('ok');
    expect([p.quorum.childCount, p.replication.open]).toEqual([1, false]);
  });

  it('secondary lost before the primary started replication: the stop with failover drops "not running"', async () => {
    const { env, pair, p } = coloPair();
    expect(await outcome(env, () => pair.failover('secondary'))).toBe('ok');
    expect([p.quorum.childCount, p.replication.stage, pair.primary.alive]).toEqual([1, 'NONE', true]);
  });

  it('x-blockdev-change drains the quorum first: a deadlock report names it waiting for a write that cannot end', async () => {
    const { env, pair, p, s } = coloPair();
    await startBoth(env, pair);
    // The secondary's colo1 stays quiesced: the forwarded copy of the write never gets in.
    s.colo!.quiesce();
    env.sched.spawn('vm write', () => p.vm.write(0, filled(512, 0x21)));
    env.sched.spawn('x-blockdev-change', () => pair.primary.removeReplicationChildren());
    await expect(env.sched.run()).rejects.toThrow(
      'deadlock at tick 0: 2 task(s) cannot finish (vm write, x-blockdev-change); waiting: x-blockdev-change on quorum waits for primary-vm to go idle; request on colo1 waits for colo1 to leave its drained section',
    );
    expect(p.quorum.childCount).toBe(2);
  });

  it('x-blockdev-change takes the replication child out of every quorum, and twice is harmless', async () => {
    const { env, pair } = coloPair({ disks: 2 });
    await startBoth(env, pair);
    expect(await outcome(env, () => pair.primary.removeReplicationChildren())).toBe('ok');
    expect(await outcome(env, () => pair.primary.removeReplicationChildren())).toBe('ok');
    expect(pair.primary.disks.map((d) => [...d.quorum.children.keys()])).toEqual([['children.0'], ['children.0']]);
  });
});
