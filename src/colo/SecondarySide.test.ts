/*
 * The secondary QEMU as the pair builds it: its chain (secondary disk <- hidden <- active <-
 * replication, with the variants that each break one of start's requirements, reference §2.6),
 * the image attributes QEMU prints (format, file name), its NBD exports and blockdev-del of its
 * replication node.
 */
import { describe, expect, it } from 'vitest';
import { QemuError } from '../replication/QemuError.js';
import { QEMU_7_2 } from '../replication/Profile.js';
import { encodeRuns } from '../scenario/runs.js';
import type { ChainVariant, TimingSpec } from '../scenario/Scenario.js';
import type { Fault } from '../sim/FaultPlan.js';
import { SimEnv } from '../sim/SimEnv.js';
import { ColoPair } from './ColoPair.js';
import { filled, run } from '../block/testing/simHelpers.js';

const CS = 65536;
const SIZE = 16 * CS;

function coloPair(options: { chain?: ChainVariant; disks?: number; timing?: Partial<TimingSpec>; faults?: readonly Fault[] } = {}) {
  const env = new SimEnv({ traceLevel: 'full', faults: options.faults ?? [] });
  const timing: TimingSpec = { diskLatencyTicks: 0, linkLatencyTicks: 0, commitChunkBytes: CS, commitPaceTicks: 0, ...options.timing };
  const pair = new ColoPair(env, { disks: options.disks ?? 1, sizeBytes: SIZE, pattern: 0x11, rules: QEMU_7_2, timing, chain: options.chain ?? 'standard' });
  return { env, pair, s: pair.secondary.disks[0]! };
}

/** "ok" or QEMU's message; anything else fails the test. */
async function outcome(env: SimEnv, fn: () => Promise<unknown>): Promise<string> {
  return run(env, () =>
    fn().then(
      () => 'ok',
      (e: unknown) => {
        if (e instanceof QemuError) return e.message;
        throw e;
      },
    ),
  );
}

describe('SecondarySide: the chain variants', () => {
  const cases: readonly [ChainVariant, string][] = [
    ['standard', 'ok'],
    ['active-without-backing', "Active disk doesn't have backing file"],
    ['hidden-without-backing', "Hidden disk doesn't have backing file"],
    ['secondary-without-backend', "The secondary disk doesn't have block backend"],
    ['active-length-differs', "Active disk, hidden disk, secondary disk's length are not the same"],
    ['active-without-make-empty', "Active disk or hidden disk doesn't support make_empty"],
    ['top-id-unknown', 'No top_bs or it is invalid'],
  ];
  for (const [chain, message] of cases) {
    it(`${chain}: the secondary's start answers ${message}`, async () => {
      const { env, pair, s } = coloPair({ chain });
      expect(await outcome(env, () => pair.secondary.xenSetReplication(true, false))).toBe(message);
      expect(s.replication.stage).toBe(message === 'ok' ? 'RUNNING' : 'NONE');
    });
  }

  it('standard: secondary disk <- hidden <- active <- replication, all of one length', () => {
    const { s } = coloPair();
    expect([s.active.children.get('backing')?.node, s.hidden.children.get('backing')?.node, s.replication.file]).toEqual([s.hidden, s.disk, s.active]);
    expect([s.disk.length, s.hidden.length, s.active.length, s.replication.topId]).toEqual([SIZE, SIZE, SIZE, 'replication-secondary']);
  });

  it('active-length-differs: active is twice as long; active-without-make-empty: active is a qed image', () => {
    expect(coloPair({ chain: 'active-length-differs' }).s.active.length).toBe(2 * SIZE);
    const qed = coloPair({ chain: 'active-without-make-empty' }).s.active;
    expect([qed.format, qed.filename, qed.supportsMakeEmpty]).toEqual(['qed', 'active-disk.qed', false]);
    expect(coloPair().s.active.supportsMakeEmpty).toBe(true);
  });

  it('secondary-without-backend: no BlockBackend on the secondary disk, so neither colo1 nor secondary-disk is exported', () => {
    const { pair, s } = coloPair({ chain: 'secondary-without-backend' });
    expect([s.colo, pair.secondary.server.get('colo1'), pair.secondary.server.get('secondary-disk')]).toEqual([null, undefined, undefined]);
    expect(pair.secondary.server.get('secondary-vm')?.blk).toBe(s.vm);
  });
});

describe('SecondarySide: images and exports', () => {
  it('each image node has its format, its file name and the disk latency', () => {
    const { pair } = coloPair({ timing: { diskLatencyTicks: 7 } });
    const images = ['secondary-disk', 'hidden-disk', 'active-disk'].map((name) => {
      const node = pair.secondary.registry.node(name)!;
      return [node.format, node.filename, node.latencyTicks];
    });
    expect(images).toEqual([
      ['raw', 'secondary-disk.raw', 7],
      ['qcow2', 'hidden-disk.qcow2', 7],
      ['qcow2', 'active-disk.qcow2', 7],
    ]);
  });

  it("a checkpoint's failed make_empty names the image file QEMU prints (bs->filename)", async () => {
    const active = coloPair({ faults: [{ kind: 'io-error', node: 'active-disk', op: 'make-empty', errno: 'EIO', afterOps: 1 }] });
    expect(await outcome(active.env, () => active.pair.secondary.xenSetReplication(true, false))).toBe('ok');
    expect(await outcome(active.env, () => active.pair.secondary.xenColoDoCheckpoint())).toBe('Failed to empty active-disk.qcow2: Input/output error');
    const hidden = coloPair({ faults: [{ kind: 'io-error', node: 'hidden-disk', op: 'make-empty', errno: 'ENOSPC', afterOps: 1 }] });
    expect(await outcome(hidden.env, () => hidden.pair.secondary.xenSetReplication(true, false))).toBe('ok');
    expect(await outcome(hidden.env, () => hidden.pair.secondary.xenColoDoCheckpoint())).toBe('Failed to empty hidden-disk.qcow2: No space left on device');
  });

  it('exports colo1 and secondary-disk on the secondary disk and secondary-vm on the replication node', async () => {
    const { env, pair, s } = coloPair();
    const server = pair.secondary.server;
    expect([server.get('colo1')?.blk, server.get('secondary-vm')?.blk, server.get('secondary-disk')?.blk.name]).toEqual([s.colo, s.vm, 'secondary-disk']);
    expect([server.get('colo1')?.blk.node, server.get('secondary-disk')?.blk.node, server.get('secondary-vm')?.blk.node]).toEqual([s.disk, s.disk, s.replication]);
    expect([pair.secondary.registry.backend('colo1'), pair.secondary.registry.backend('secondary-vm')]).toEqual([s.colo, s.vm]);
    await run(env, () => server.get('secondary-disk')!.write(0, filled(512, 0x55)));
    expect(encodeRuns(s.disk.peek(0, 512))).toEqual([[0x55, 512]]);
  });

  it('a second disk has its own suffixed nodes and exports', () => {
    const { pair } = coloPair({ disks: 2 });
    const d = pair.secondary.disks[1]!;
    expect([d.index, d.disk.name, d.hidden.name, d.active.name, d.replication.name, d.replication.topId, d.vm.name, d.colo?.name]).toEqual([
      1,
      'secondary-disk.1',
      'hidden-disk.1',
      'active-disk.1',
      'replication-secondary.1',
      'replication-secondary.1',
      'secondary-vm.1',
      'colo1.1',
    ]);
    expect([pair.secondary.server.get('colo1.1')?.blk.node, pair.secondary.server.get('secondary-disk.1')?.blk.node]).toEqual([d.disk, d.disk]);
    expect(pair.secondary.registry.node('hidden-disk.1')?.filename).toBe('hidden-disk.1.qcow2');
  });
});

describe('SecondarySide: blockdev-del of the replication node', () => {
  it('a node already deleted is not found, and nothing else changes', async () => {
    const { env, pair } = coloPair();
    expect(await outcome(env, () => pair.deleteReplication('secondary', 0))).toBe('ok');
    expect(await outcome(env, () => pair.deleteReplication('secondary', 0))).toBe("Failed to find node with node-name='replication-secondary'");
    expect(pair.secondary.server.get('colo1')).toBeDefined();
    expect(env.trace.eventsOf('command').map((e) => `${e.fields.command}:${e.fields.event}:${e.fields.ok}`)).toEqual([
      'blockdev-del:begin:undefined',
      'blockdev-del:end:true',
      'blockdev-del:begin:undefined',
      'blockdev-del:end:false',
    ]);
  });
});
