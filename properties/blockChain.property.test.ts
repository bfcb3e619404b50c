/*
 * Random I/O on a raw <- hidden <- active chain, checked byte for byte against a reference model
 * that keeps each layer's contents apart (a cluster map per overlay, a flat array for raw), so
 * make-empty falls through and copy-on-write snapshots are modelled, not approximated. Requests run
 * in batches under the random schedule; requests of one batch are in flight together and are
 * chosen so that their outcome does not depend on the interleaving (see `conflicts`).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BlockError } from '../src/block/BlockError.js';
import type { BlockNode } from '../src/block/BlockNode.js';
import { OverlayNode } from '../src/block/OverlayNode.js';
import { RawNode } from '../src/block/RawNode.js';
import type { IoOp, LatencyFault } from '../src/sim/FaultPlan.js';
import type { Prng } from '../src/sim/Prng.js';
import { SimEnv } from '../src/sim/SimEnv.js';
import { SCALED_TIMEOUT_MS as TIMEOUT_MS, scaledRuns as runs, seed as suiteSeed } from './budget.js';

const SECTOR = 512;
const LAYERS = ['raw', 'hidden', 'active'] as const;
type Layer = 0 | 1 | 2;
type OpKind = 'read' | 'write' | 'write-zeroes' | 'make-empty';

interface Op {
  readonly layer: Layer;
  readonly kind: OpKind;
  readonly offset: number;
  readonly bytes: number;
  /** Seed of the written data; every write's bytes differ from its neighbours'. */
  readonly pattern: number;
  /** Join the batch before it when nothing conflicts. */
  readonly concurrent: boolean;
  /** How late it starts within its batch: scheduler steps, then ticks. */
  readonly startYields: number;
  readonly startTicks: number;
}

interface ChainCase {
  readonly sizeBytes: number;
  readonly fill: number;
  readonly clusterSizes: readonly [number, number];
  readonly latencies: readonly [number, number, number];
  /** Extra latency for one kind of I/O on one node, so reads and writes overtake each other. */
  readonly latencyFaults: readonly LatencyFault[];
  readonly seed: number;
  readonly ops: readonly Op[];
}

// ---- the reference model ----

type RefCluster = Uint8Array | 'zero';

class RefChain {
  readonly raw: Uint8Array;
  readonly overlays: [Map<number, RefCluster>, Map<number, RefCluster>] = [new Map(), new Map()];

  constructor(
    readonly sizeBytes: number,
    fill: number,
    readonly clusterSizes: readonly [number, number],
  ) {
    this.raw = new Uint8Array(sizeBytes).fill(fill);
  }

  view(layer: Layer, offset: number, bytes: number): Uint8Array {
    if (layer === 0) return this.raw.slice(offset, offset + bytes);
    const out = new Uint8Array(bytes);
    const cs = this.clusterSizes[layer - 1]!;
    const map = this.overlays[layer - 1]!;
    for (let pos = offset; pos < offset + bytes; ) {
      const c = Math.floor(pos / cs);
      const n = Math.min((c + 1) * cs, offset + bytes) - pos;
      const cluster = map.get(c);
      if (cluster instanceof Uint8Array) out.set(cluster.subarray(pos - c * cs, pos - c * cs + n), pos - offset);
      else if (cluster === undefined) out.set(this.view((layer - 1) as Layer, pos, n), pos - offset);
      pos += n;
    }
    return out;
  }

  write(layer: Layer, offset: number, data: Uint8Array): void {
    if (layer === 0) {
      this.raw.set(data, offset);
      return;
    }
    const cs = this.clusterSizes[layer - 1]!;
    const map = this.overlays[layer - 1]!;
    const end = offset + data.length;
    for (let c = Math.floor(offset / cs); c * cs < end; c++) {
      let cluster = map.get(c);
      if (!(cluster instanceof Uint8Array)) {
        // First write to the cluster: it starts as what this layer showed, all of it.
        const length = Math.min(cs, this.sizeBytes - c * cs);
        cluster = cluster === 'zero' ? new Uint8Array(length) : this.view((layer - 1) as Layer, c * cs, length);
        map.set(c, cluster);
      }
      const from = Math.max(offset, c * cs);
      const to = Math.min(end, c * cs + cluster.length);
      cluster.set(data.subarray(from - offset, to - offset), from - c * cs);
    }
  }

  writeZeroes(layer: Layer, offset: number, bytes: number): void {
    const cs = layer === 0 ? 0 : this.clusterSizes[layer - 1]!;
    const aligned = offset % SECTOR === 0 && bytes % SECTOR === 0;
    const first = Math.ceil(offset / cs);
    const last = Math.floor((offset + bytes) / cs);
    if (layer === 0 || !aligned || first >= last) {
      this.write(layer, offset, new Uint8Array(bytes));
      return;
    }
    // Whole clusters become zero clusters; the partial edges are written as zeros.
    if (offset < first * cs) this.write(layer, offset, new Uint8Array(first * cs - offset));
    for (let c = first; c < last; c++) this.overlays[layer - 1]!.set(c, 'zero');
    if (offset + bytes > last * cs) this.write(layer, last * cs, new Uint8Array(offset + bytes - last * cs));
  }

  makeEmpty(layer: Layer): void {
    this.overlays[layer - 1]!.clear();
  }
}

// ---- generators ----

const patternBytes = (pattern: number, bytes: number): Uint8Array => {
  const out = new Uint8Array(bytes);
  for (let i = 0; i < bytes; i++) out[i] = (pattern + i * 7 + (i >>> 9)) & 0xff;
  return out;
};

/** Requests anywhere on the disk, or (hot) crowded into its first few clusters, mostly concurrent. */
function opArbitrary(sizeBytes: number, hot: boolean): fc.Arbitrary<Op> {
  const sectors = sizeBytes / SECTOR;
  const hotOffset = fc.oneof(fc.integer({ min: 0, max: 15 }).map((s) => s * SECTOR), fc.integer({ min: 0, max: 8192 }));
  const offset = hot ? hotOffset : fc.oneof(
    { weight: 3, arbitrary: fc.integer({ min: 0, max: sectors - 1 }).map((s) => s * SECTOR) },
    { weight: 2, arbitrary: fc.integer({ min: 0, max: sizeBytes - 1 }) },
    // A hot spot, so that requests meet in the same clusters and sectors.
    { weight: 3, arbitrary: fc.integer({ min: 0, max: 2 * 65536 }) },
    { weight: 1, arbitrary: fc.integer({ min: 0, max: 16 }).map((k) => Math.floor(sizeBytes / 65536 - k / 4) * 65536) },
    // At the disk's end, and a little past it.
    { weight: 2, arbitrary: fc.integer({ min: -70_000, max: 600 }).map((d) => Math.max(0, sizeBytes + d)) },
  );
  const hotBytes = fc.oneof(fc.integer({ min: 1, max: 1200 }), fc.integer({ min: 1, max: 4 }).map((s) => s * SECTOR));
  const bytes = hot ? hotBytes : fc.oneof(
    { weight: 3, arbitrary: fc.integer({ min: 1, max: 1200 }) },
    { weight: 3, arbitrary: fc.integer({ min: 1, max: 256 }).map((s) => s * SECTOR) },
    { weight: 1, arbitrary: fc.integer({ min: 1, max: 3 }).map((k) => k * 65536) },
  );
  return fc.record({
    layer: fc.oneof(
      { weight: hot ? 8 : 5, arbitrary: fc.constant(2 as Layer) },
      { weight: hot ? 1 : 3, arbitrary: fc.constant(1 as Layer) },
      { weight: hot ? 1 : 2, arbitrary: fc.constant(0 as Layer) },
    ),
    kind: fc.oneof(
      { weight: 4, arbitrary: fc.constant<OpKind>('write') },
      { weight: 3, arbitrary: fc.constant<OpKind>('read') },
      { weight: 2, arbitrary: fc.constant<OpKind>('write-zeroes') },
      { weight: 1, arbitrary: fc.constant<OpKind>('make-empty') },
    ),
    offset,
    bytes,
    pattern: fc.integer({ min: 0, max: 255 }),
    concurrent: hot ? fc.oneof({ weight: 5, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.constant(false) }) : fc.boolean(),
    startYields: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 12 })),
    startTicks: fc.constantFrom(0, 0, 1, 3, 7),
  });
}

const latencyFault: fc.Arbitrary<LatencyFault> = fc.record({
  kind: fc.constant('latency' as const),
  node: fc.constantFrom(...LAYERS),
  op: fc.constantFrom<IoOp | 'any'>('read', 'write', 'write-zeroes'),
  ticks: fc.integer({ min: 1, max: 10 }),
});

const chainCase = (hot: boolean): fc.Arbitrary<ChainCase> => fc
  .record({
    sizeBytes: fc.constantFrom(1 << 20, (1 << 20) - 3 * SECTOR, 256 * 1024 + SECTOR),
    clusterSizes: fc.tuple(fc.constantFrom(512, 4096, 65536), fc.constantFrom(512, 4096, 65536)),
  })
  .chain(({ sizeBytes, clusterSizes }) =>
    fc.record({
      sizeBytes: fc.constant(sizeBytes),
      fill: fc.integer({ min: 0, max: 255 }),
      clusterSizes: fc.constant(clusterSizes as readonly [number, number]),
      latencies: fc.tuple(fc.constantFrom(0, 1, 5), fc.constantFrom(0, 1, 5), fc.constantFrom(0, 1, 5)),
      latencyFaults: fc.array(latencyFault, { maxLength: 3 }),
      seed: fc.integer({ min: 0, max: 0xffffffff }),
      ops: fc.array(opArbitrary(sizeBytes, hot), { minLength: 1, maxLength: 40 }),
    }),
  );

// ---- batching ----

const inRange = (op: Op, sizeBytes: number): boolean => op.offset + op.bytes <= sizeBytes;

/**
 * Whether two requests may not share a batch: the state after it would depend on the interleaving.
 * Two writes must touch disjoint bytes (a read may overlap a write on its own layer: it must then
 * see each byte either as before or as after the batch). Requests that share a (largest) cluster
 * must be on the same layer, because a write to a lower layer would change what an upper layer's
 * copy-on-write copies, or what a read through it sees. Make-empty goes alone.
 */
function conflicts(a: Op, b: Op, c: ChainCase): boolean {
  if (a.kind === 'make-empty' || b.kind === 'make-empty') return true;
  if (!inRange(a, c.sizeBytes) || !inRange(b, c.sizeBytes)) return false;
  const overlap = a.offset < b.offset + b.bytes && b.offset < a.offset + a.bytes;
  if (overlap && !(a.layer === b.layer && (a.kind === 'read') !== (b.kind === 'read'))) return true;
  const cs = Math.max(...c.clusterSizes);
  const sharesCluster = Math.floor(a.offset / cs) <= Math.floor((b.offset + b.bytes - 1) / cs) && Math.floor(b.offset / cs) <= Math.floor((a.offset + a.bytes - 1) / cs);
  return sharesCluster && a.layer !== b.layer;
}

function batches(c: ChainCase): Op[][] {
  const out: Op[][] = [];
  for (const op of c.ops) {
    const current = out.at(-1);
    if (current && op.concurrent && current.every((other) => !conflicts(op, other, c))) current.push(op);
    else out.push([op]);
  }
  return out;
}

// ---- running ----

function buildChain(c: ChainCase): { env: SimEnv; nodes: [RawNode, OverlayNode, OverlayNode] } {
  const env = new SimEnv({ seed: c.seed, policy: 'random', traceLevel: 'off', faults: c.latencyFaults });
  const raw = new RawNode(env, 'raw', c.sizeBytes, { fill: c.fill });
  const hidden = new OverlayNode(env, 'hidden', c.sizeBytes, { clusterSize: c.clusterSizes[0] });
  hidden.attach('backing', raw);
  const active = new OverlayNode(env, 'active', c.sizeBytes, { clusterSize: c.clusterSizes[1] });
  active.attach('backing', hidden);
  const nodes: [RawNode, OverlayNode, OverlayNode] = [raw, hidden, active];
  nodes.forEach((n, i) => (n.latencyTicks = c.latencies[i]!));
  return { env, nodes };
}

function issue(node: BlockNode, op: Op): Promise<Uint8Array | void> {
  switch (op.kind) {
    case 'read':
      return node.read(op.offset, op.bytes);
    case 'write':
      return node.write(op.offset, patternBytes(op.pattern, op.bytes));
    case 'write-zeroes':
      return node.writeZeroes(op.offset, op.bytes);
    case 'make-empty':
      return node.makeEmpty();
  }
}

/** The errno the model expects, or null when the request succeeds. */
function expectedErrno(op: Op, c: ChainCase): string | null {
  if (op.kind === 'make-empty') return op.layer === 0 ? 'ENOTSUP' : null;
  return inRange(op, c.sizeBytes) ? null : 'EIO';
}

function applyToModel(model: RefChain, op: Op): void {
  if (op.kind === 'write') model.write(op.layer, op.offset, patternBytes(op.pattern, op.bytes));
  else if (op.kind === 'write-zeroes') model.writeZeroes(op.layer, op.offset, op.bytes);
  else if (op.kind === 'make-empty') model.makeEmpty(op.layer);
}

function firstDifference(a: Uint8Array, b: Uint8Array): string | null {
  if (a.length !== b.length) return `length ${a.length} != ${b.length}`;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return `byte ${i}: got ${a[i]}, expected ${b[i]}`;
  return null;
}

/** The first byte that is neither what it was before nor what it is after the batch. */
function firstTornByte(got: Uint8Array, before: Uint8Array, after: Uint8Array): string | null {
  if (got.length !== before.length) return `length ${got.length} != ${before.length}`;
  for (let i = 0; i < got.length; i++) {
    if (got[i] !== before[i] && got[i] !== after[i]) return `byte ${i}: got ${got[i]}, expected ${before[i]} (before) or ${after[i]} (after)`;
  }
  return null;
}

const describeOp = (op: Op): string => `${op.kind} ${LAYERS[op.layer]} [${op.offset}, +${op.bytes})`;

async function checkCase(c: ChainCase): Promise<void> {
  const { env, nodes } = buildChain(c);
  const model = new RefChain(c.sizeBytes, c.fill, c.clusterSizes);
  for (const batch of batches(c)) {
    const isRead = (op: Op): boolean => op.kind === 'read' && inRange(op, c.sizeBytes);
    const before = batch.map((op) => (isRead(op) ? model.view(op.layer, op.offset, op.bytes) : null));
    const tasks = batch.map((op, i) =>
      env.sched.spawn(`op${i}`, async () => {
        for (let k = 0; k < op.startYields; k++) await env.sched.yield(`op${i}:late`);
        if (op.startTicks > 0) await env.sched.sleep(`op${i}:later`, op.startTicks);
        return issue(nodes[op.layer], op);
      }),
    );
    await env.sched.run();
    batch.forEach((op, i) => {
      const outcome = tasks[i]!.outcome!;
      const errno = expectedErrno(op, c);
      if (errno !== null) {
        expect(outcome.ok, describeOp(op)).toBe(false);
        expect(outcome.error).toBeInstanceOf(BlockError);
        expect((outcome.error as BlockError).errno, describeOp(op)).toBe(errno);
        return;
      }
      if (!outcome.ok) throw new Error(`${describeOp(op)} failed: ${String(outcome.error)}`);
      applyToModel(model, op);
    });
    // A read that overlapped a write of its batch may see either side of it, byte by byte; any
    // other read sees the one state its bytes had all along (before equals after for it).
    batch.forEach((op, i) => {
      if (!isRead(op)) return;
      const after = model.view(op.layer, op.offset, op.bytes);
      expect(firstTornByte(tasks[i]!.result() as Uint8Array, before[i]!, after), describeOp(op)).toBeNull();
    });
  }
  // Finally every layer, whole, as each node shows it.
  const whole = nodes.map((node) => env.sched.spawn(`verify ${node.name}`, () => node.read(0, c.sizeBytes)));
  await env.sched.run();
  whole.forEach((task, layer) => expect(firstDifference(task.result(), model.view(layer as Layer, 0, c.sizeBytes)), `whole ${LAYERS[layer]}`).toBeNull());
  nodes.forEach((node) => expect(node.tracked.size).toBe(0));
}

describe('block chain against a layered reference model', () => {
  it('reads back exactly what the model predicts, with concurrent batches under the random schedule', async () => {
    await fc.assert(fc.asyncProperty(chainCase(false), checkCase), { numRuns: runs(60), seed: suiteSeed(41) });
  }, TIMEOUT_MS);

  it('lets a read overlapping writes in flight see each byte either before or after them (requests crowded into a few clusters)', async () => {
    await fc.assert(fc.asyncProperty(chainCase(true), checkCase), { numRuns: runs(60), seed: suiteSeed(42) });
  }, TIMEOUT_MS);

  it('the model itself: make-empty of the top falls through, and copy-on-write snapshots the layer below', () => {
    const model = new RefChain(4 * 4096, 0xaa, [4096, 4096]);
    model.write(0, 0, new Uint8Array(4096).fill(1));
    model.write(2, 512, new Uint8Array(512).fill(2));
    model.write(0, 0, new Uint8Array(4096).fill(3));
    expect(Array.from(model.view(2, 0, 4096).subarray(510, 1026))).toEqual([1, 1, ...new Array(512).fill(2), 1, 1]);
    model.makeEmpty(2);
    expect(model.view(2, 0, 4096)).toEqual(new Uint8Array(4096).fill(3));
    model.writeZeroes(1, 0, 4096);
    expect(model.view(2, 0, 8192)).toEqual(new Uint8Array([...new Array(4096).fill(0), ...new Array(4096).fill(0xaa)]));
  });

  it('batches only requests whose outcome does not depend on the interleaving', () => {
    const c: ChainCase = { sizeBytes: 1 << 20, fill: 0, clusterSizes: [4096, 65536], latencies: [0, 0, 0], latencyFaults: [], seed: 0, ops: [] };
    const op = (layer: Layer, kind: OpKind, offset: number, bytes: number): Op => ({
      layer,
      kind,
      offset,
      bytes,
      pattern: 0,
      concurrent: true,
      startYields: 0,
      startTicks: 0,
    });
    expect(conflicts(op(2, 'write', 0, 512), op(2, 'write', 512, 512), c)).toBe(false);
    expect(conflicts(op(2, 'write', 0, 512), op(2, 'write', 511, 2), c)).toBe(true);
    expect(conflicts(op(2, 'write', 0, 512), op(2, 'read', 511, 2), c)).toBe(false);
    expect(conflicts(op(2, 'read', 0, 512), op(2, 'read', 511, 2), c)).toBe(true);
    expect(conflicts(op(1, 'write', 0, 512), op(2, 'read', 0, 512), c)).toBe(true);
    expect(conflicts(op(2, 'write', 0, 512), op(1, 'write', 4096, 512), c)).toBe(true);
    expect(conflicts(op(2, 'write', 0, 512), op(1, 'write', 65536, 512), c)).toBe(false);
    expect(conflicts(op(2, 'read', 0, 512), op(2, 'make-empty', 0, 0), c)).toBe(true);
    expect(conflicts(op(2, 'write', 0, 512), op(1, 'read', 1 << 20, 512), c)).toBe(false);
  });
});

describe('a read racing an allocating write', () => {
  it('sees each byte as it was before the write or as the write left it, never anything else', async () => {
    const race = fc.record({
      seed: fc.integer({ min: 0, max: 0xffffffff }),
      clusterSize: fc.constantFrom(512, 4096, 65536),
      fill: fc.integer({ min: 1, max: 255 }),
      // Mostly sector-aligned: an unaligned write is serialising, so an overlapping read waits for it.
      write: fc.record({
        offset: fc.oneof({ weight: 3, arbitrary: fc.integer({ min: 0, max: 32 }).map((s) => s * SECTOR) }, { weight: 1, arbitrary: fc.integer({ min: 0, max: 16384 }) }),
        bytes: fc.oneof({ weight: 3, arbitrary: fc.integer({ min: 1, max: 18 }).map((s) => s * SECTOR) }, { weight: 1, arbitrary: fc.integer({ min: 1, max: 9000 }) }),
        pattern: fc.integer({ min: 0, max: 255 }),
      }),
      readShift: fc.integer({ min: -4096, max: 4096 }),
      readBytes: fc.integer({ min: 1, max: 9000 }),
      readStartTicks: fc.integer({ min: 0, max: 25 }),
      readStartYields: fc.integer({ min: 0, max: 8 }),
      activeLatency: fc.integer({ min: 0, max: 3 }),
      writeExtraTicks: fc.integer({ min: 0, max: 10 }),
      belowReadExtraTicks: fc.integer({ min: 0, max: 10 }),
    });
    await fc.assert(
      fc.asyncProperty(race, async (r) => {
        const size = 1 << 17;
        const env = new SimEnv({
          seed: r.seed,
          policy: 'random',
          traceLevel: 'off',
          faults: [
            { kind: 'latency', node: 'active', op: 'write', ticks: r.writeExtraTicks },
            { kind: 'latency', node: 'raw', op: 'read', ticks: r.belowReadExtraTicks },
          ],
        });
        const raw = new RawNode(env, 'raw', size, { fill: r.fill });
        const hidden = new OverlayNode(env, 'hidden', size, { clusterSize: r.clusterSize });
        hidden.attach('backing', raw);
        const active = new OverlayNode(env, 'active', size, { clusterSize: r.clusterSize });
        active.attach('backing', hidden);
        active.latencyTicks = r.activeLatency;
        const readOffset = Math.max(0, r.write.offset + r.readShift);
        const model = new RefChain(size, r.fill, [r.clusterSize, r.clusterSize]);
        const before = model.view(2, readOffset, r.readBytes);
        const data = patternBytes(r.write.pattern, r.write.bytes);
        model.write(2, r.write.offset, data);
        const after = model.view(2, readOffset, r.readBytes);
        const w = env.sched.spawn('write', () => active.write(r.write.offset, data));
        const read = env.sched.spawn('read', async () => {
          for (let k = 0; k < r.readStartYields; k++) await env.sched.yield('read:late');
          await env.sched.sleep('read:later', r.readStartTicks);
          return active.read(readOffset, r.readBytes);
        });
        await env.sched.run();
        w.result();
        expect(firstTornByte(read.result(), before, after)).toBeNull();
        const all = env.sched.spawn('verify', () => active.read(0, size));
        await env.sched.run();
        expect(firstDifference(all.result(), model.view(2, 0, size))).toBeNull();
      }),
      { numRuns: runs(150), seed: suiteSeed(43) },
    );
  }, TIMEOUT_MS);
});

/** `n` bytes of a stream as the block layer draws undefined bytes: four per 32-bit draw, low byte first. */
function streamBytes(stream: Prng, n: number): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i += 4) {
    const word = stream.int(0, 0xffffffff);
    for (let b = 0; b < 4 && i + b < n; b++) out[i + b] = (word >>> (8 * b)) & 0xff;
  }
  return out;
}

describe('failed writes', () => {
  /*
   * An unaligned write first reads its edge sectors (the padding). QEMU 7.2 ignores a failed padding
   * read and writes its bounce buffer anyway (src/qemu/OBSERVATIONS.md); colosim's holds bytes of
   * the node's own stream "undefined-bytes/<node>" there (four per 32-bit draw, low byte first).
   * So a write either fails (its cluster's copy-on-write read failed) and leaves the overlay as it
   * was, or lands with those bytes in the rest of each edge sector whose padding read failed.
   */
  it('leave the overlay as it was when a copy-on-write read below fails; a failed padding read leaves PRNG bytes', async () => {
    const writeOp = fc.record({
      offset: fc.integer({ min: 0, max: (1 << 18) - 1 }),
      bytes: fc.integer({ min: 1, max: 3 * 4096 }),
      pattern: fc.integer({ min: 0, max: 255 }),
    });
    await fc.assert(
      fc.asyncProperty(fc.array(writeOp, { minLength: 1, maxLength: 20 }), fc.integer({ min: 0, max: 30 }), async (writes, afterOps) => {
        const size = 1 << 18;
        const env = new SimEnv({ faults: [{ kind: 'io-error', node: 'raw', op: 'read', errno: 'EIO', afterOps, times: 3 }], traceLevel: 'off' });
        const padFailed: { edge: number; bytes: number }[] = [];
        env.trace.subscribe((e) => {
          if (e.kind === 'pad-read-failed' && e.fields.node === 'top') padFailed.push({ edge: e.fields.offset, bytes: e.fields.bytes });
        });
        const raw = new RawNode(env, 'raw', size, { fill: 0xaa });
        const top = new OverlayNode(env, 'top', size, { clusterSize: 4096 });
        top.attach('backing', raw);
        const model = new RefChain(size, 0xaa, [4096, 4096]);
        const undefinedBytes = env.prng.derive('undefined-bytes/top');
        for (const w of writes) {
          const bytes = Math.min(w.bytes, size - w.offset);
          padFailed.length = 0;
          const task = env.sched.spawn('w', () => top.write(w.offset, patternBytes(w.pattern, bytes)));
          await env.sched.run();
          // Every failed padding read draws from the stream, whether the write then lands or not: a
          // sector, or two where head and tail are read at once (merge_reads), or the tail left unread.
          const padding = padFailed.map(({ edge, bytes }) => ({ edge, bytes: streamBytes(undefinedBytes, bytes) }));
          if (task.outcome!.ok) {
            for (const { edge, bytes } of padding) model.write(2, edge, bytes);
            model.write(2, w.offset, patternBytes(w.pattern, bytes));
          } else expect((task.outcome!.error as BlockError).message).toBe('injected EIO on raw read');
        }
        env.faults.active = false;
        const all = env.sched.spawn('verify', () => top.read(0, size));
        await env.sched.run();
        expect(firstDifference(all.result(), model.view(2, 0, size))).toBeNull();
      }),
      { numRuns: runs(40), seed: suiteSeed(44) },
    );
  }, TIMEOUT_MS);

  it('a failed padding read: the write lands with PRNG bytes around it in its edge sectors', async () => {
    const env = new SimEnv({ faults: [{ kind: 'io-error', node: 'raw', op: 'read', errno: 'EIO', times: 1 }], traceLevel: 'off' });
    const raw = new RawNode(env, 'raw', 8192, { fill: 0xaa });
    const top = new OverlayNode(env, 'top', 8192, { clusterSize: 4096 });
    top.attach('backing', raw);
    // The head sector's padding read reaches raw first and fails, which ends the reading, as
    // bdrv_padding_rmw_read returns at its first failure: the tail sector is not read either.
    const task = env.sched.spawn('w', () => top.write(100, new Uint8Array(1000).fill(0x11)));
    await env.sched.run();
    expect(task.outcome!.ok).toBe(true);
    const read = env.sched.spawn('r', () => top.read(0, 2048));
    await env.sched.run();
    // Head sector: the stream's first 512 bytes, then the data; tail sector [1024, 1536): the data,
    // then the stream's next bytes; the sector after it is untouched (0xaa).
    const stream = streamBytes(env.prng.derive('undefined-bytes/top'), 1024);
    const expected = new Uint8Array(2048).fill(0xaa);
    expected.set(stream.subarray(0, 512), 0);
    expected.set(stream.subarray(512, 1024), 1024);
    expect(new Set(expected.subarray(0, 100)).size).toBeGreaterThan(50);
    expected.fill(0x11, 100, 1100);
    expect(firstDifference(read.result(), expected)).toBeNull();
  });
});
