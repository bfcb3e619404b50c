import { describe, expect, it } from 'vitest';
import { BlockBackend } from '../block/BlockBackend.js';
import { BlockError } from '../block/BlockError.js';
import { BlockNode } from '../block/BlockNode.js';
import { NodeRegistry } from '../block/NodeRegistry.js';
import { OverlayNode } from '../block/OverlayNode.js';
import { RawNode } from '../block/RawNode.js';
import { PassFilter } from '../block/testing/PassFilter.js';
import { encodeRuns } from '../scenario/runs.js';
import type { Fault } from '../sim/FaultPlan.js';
import { SimEnv } from '../sim/SimEnv.js';
import { SimulatedCrash } from '../sim/SimulatedCrash.js';
import { type ProfileRules, QEMU_7_2, V24 } from './Profile.js';
import { QemuError } from './QemuError.js';
import { ReplicationFramework } from './ReplicationFramework.js';
import { ReplicationNode } from './ReplicationNode.js';
import type { ReplicationMode } from './ReplicationStage.js';
import { filled, run } from '../block/testing/simHelpers.js';

const KiB = 1024;
const CS = 64 * KiB;
const SIZE = 16 * CS;

const NOT_RUNNING = 'Block replication is not running';
/** A root filter above the replication node (the quorum the secondary's guest disk sits on, §1). */
const TOP = { driver: 'test-top', alignment: 1 } as const;
/** replication_start's op blocker on the top node (block/replication.c, the seed patch). */
const BACKUP_BLOCKER_REASON = 'Block device is in use by internal backup job';
const RUNNING_OR_DONE = 'Block replication is running or done';
const IO_ERROR = 'I/O error occurred';
const BACKUP_CANCELLED = 'Backup job was cancelled unexpectedly';

interface ChainOptions {
  readonly rules?: ProfileRules;
  readonly faults?: readonly Fault[];
  readonly activeSizeBytes?: number;
  readonly hiddenSizeBytes?: number;
  readonly activeBacking?: boolean;
  readonly hiddenBacking?: boolean;
  readonly secondaryBackend?: boolean;
  readonly activeMakeEmpty?: boolean;
  readonly hiddenMakeEmpty?: boolean;
  /** The node's top-id; "filter" puts a root filter "top-disk1" above the node and names it. Default: the node itself. */
  readonly topId?: string;
  readonly paceTicks?: number;
}

/**
 * The secondary's chain by hand: secondary disk (raw, 0x11) under BlockBackend colo1, hidden and
 * active qcow2-like overlays, the replication node over active, a BlockBackend "vm" on the root.
 */
function secondaryChain(o: ChainOptions = {}) {
  const env = new SimEnv({ traceLevel: 'full', faults: o.faults ?? [] });
  const registry = new NodeRegistry();
  const framework = new ReplicationFramework();
  const secondary = new RawNode(env, 'secondary-disk', SIZE, { fill: 0x11 });
  const hidden = new OverlayNode(env, 'hidden-disk', o.hiddenSizeBytes ?? SIZE, { makeEmpty: o.hiddenMakeEmpty ?? true });
  const active = new OverlayNode(env, 'active-disk', o.activeSizeBytes ?? SIZE, { makeEmpty: o.activeMakeEmpty ?? true });
  hidden.filename = 'hidden_disk.qcow2';
  active.filename = 'active_disk.qcow2';
  if (o.hiddenBacking ?? true) hidden.attach('backing', secondary);
  if (o.activeBacking ?? true) active.attach('backing', hidden);
  const colo = (o.secondaryBackend ?? true) ? new BlockBackend('colo1', secondary) : null;
  const crashes: SimulatedCrash[] = [];
  const name = 'replication-secondary';
  const withFilter = o.topId === 'filter';
  const node = new ReplicationNode(env, {
    name,
    mode: 'secondary',
    topId: withFilter ? 'top-disk1' : (o.topId ?? name),
    file: active,
    rules: o.rules ?? QEMU_7_2,
    registry,
    framework,
    side: 'secondary',
    commit: { chunkBytes: CS, paceTicks: o.paceTicks ?? 0 },
    onCrash: (crash) => crashes.push(crash),
  });
  const top = withFilter ? new PassFilter(env, 'top-disk1', node, TOP) : null;
  const vm = new BlockBackend('vm', top ?? node);
  // An unrelated root node, for top-id checks.
  const spare = new RawNode(env, 'spare', SIZE);
  for (const n of [secondary, hidden, active, node, spare]) registry.addNode(n);
  if (top) registry.addNode(top);
  registry.addBackend(vm);
  if (colo) registry.addBackend(colo);
  return { env, registry, framework, secondary, hidden, active, colo, node, top, vm, crashes };
}

function primaryNode(rules: ProfileRules, faults: readonly Fault[] = []) {
  const env = new SimEnv({ traceLevel: 'full', faults });
  const framework = new ReplicationFramework();
  const link = new RawNode(env, 'link', SIZE, { fill: 0x11 });
  const node = new ReplicationNode(env, {
    name: 'replication-primary',
    mode: 'primary',
    file: link,
    rules,
    registry: new NodeRegistry(),
    framework,
    side: 'primary',
    commit: { chunkBytes: CS, paceTicks: 0 },
    onCrash: () => undefined,
  });
  return { env, framework, link, node };
}

/** "ok", QEMU's message, "crash: <message>" or "errno: <name>"; anything else (a TypeError) fails the test. */
async function outcome(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'ok';
  } catch (error) {
    if (error instanceof QemuError) return error.message;
    if (error instanceof SimulatedCrash) return `crash: ${error.message}`;
    if (error instanceof BlockError) return `errno: ${error.errno}`;
    throw error;
  }
}

type Step = readonly [op: string, expected: string, stageAfter: string];

/** Run replication ops in one task; each step records [op, outcome, stage after]. */
async function steps(env: SimEnv, node: ReplicationNode, ops: readonly string[]): Promise<Step[]> {
  return run(env, async () => {
    const out: Step[] = [];
    for (const op of ops) out.push([op, await outcome(perform(node, op)), node.stage]);
    return out;
  });
}

function perform(node: ReplicationNode, op: string): Promise<void> {
  switch (op) {
    case 'start(primary)':
    case 'start(secondary)':
      return node.start(op.slice(6, -1) as ReplicationMode);
    case 'stop(false)':
      return node.stop(false);
    case 'stop(true)':
      return node.stop(true);
    case 'checkpoint':
      return node.checkpoint();
    case 'get_error':
      return node.getError();
    case 'wait-commit':
      return node.waitCommit('test');
  }
  throw new Error(`unknown op ${op}`);
}

const peekRuns = (node: BlockNode, offset: number, bytes: number) => encodeRuns(node.peek(offset, bytes));
const parentsOf = (node: BlockNode) => [...node.parents].map((edge) => `${edge.parent.name}:${edge.role}`).sort();

describe('ReplicationNode (secondary): start validation in §2.6 order', () => {
  const cases: readonly [string, ChainOptions, string][] = [
    // Each chain breaks the named requirement and also later ones, so the order shows.
    ['active without backing', { activeBacking: false, activeSizeBytes: 2 * SIZE, activeMakeEmpty: false }, "Active disk doesn't have backing file"],
    ['hidden without backing', { hiddenBacking: false, secondaryBackend: false, hiddenMakeEmpty: false }, "Hidden disk doesn't have backing file"],
    ['secondary without block backend', { secondaryBackend: false, activeSizeBytes: 2 * SIZE, topId: 'nowhere' }, "The secondary disk doesn't have block backend"],
    ['active length differs', { activeSizeBytes: 2 * SIZE, activeMakeEmpty: false }, "Active disk, hidden disk, secondary disk's length are not the same"],
    ['hidden length differs', { hiddenSizeBytes: SIZE / 2, topId: 'nowhere' }, "Active disk, hidden disk, secondary disk's length are not the same"],
    ['active without make_empty', { activeMakeEmpty: false, topId: 'nowhere' }, "Active disk or hidden disk doesn't support make_empty"],
    ['hidden without make_empty', { hiddenMakeEmpty: false }, "Active disk or hidden disk doesn't support make_empty"],
    ['unknown top-id', { topId: 'no-such-node' }, 'No top_bs or it is invalid'],
    ['top-id of a node that is not a root (active has the replication node as parent)', { topId: 'active-disk' }, 'No top_bs or it is invalid'],
    ['top-id of a BlockBackend whose root is not a root node (colo1 -> the secondary disk, a backing child)', { topId: 'colo1' }, 'No top_bs or it is invalid'],
    ['top-id of a root that does not contain the node', { topId: 'spare' }, 'No top_bs or it is invalid'],
  ];

  for (const rules of [QEMU_7_2, V24]) {
    for (const [what, options, message] of cases) {
      it(`${rules.name}: ${what}`, async () => {
        const c = secondaryChain({ ...options, rules });
        expect(await steps(c.env, c.node, ['start(secondary)'])).toEqual([['start(secondary)', message, 'NONE']]);
        expect([c.node.backupJob, c.node.error]).toEqual([null, null]);
        // No copy-before-write was hooked anywhere.
        expect(c.secondary.beforeWrite).toEqual([]);
        if (c.colo) expect(c.colo.node).toBe(c.secondary);
        expect(c.node.opBlockers).toEqual([]);
      });
    }
  }

  it('the top-id check comes after the own links are attached, which stay (7.2, reference §9.4)', async () => {
    const c = secondaryChain({ topId: 'no-such-node' });
    const got = await steps(c.env, c.node, ['start(secondary)', 'start(secondary)']);
    // A retry fails the same way: the links are not attached twice (no JS error).
    expect(got).toEqual([
      ['start(secondary)', 'No top_bs or it is invalid', 'NONE'],
      ['start(secondary)', 'No top_bs or it is invalid', 'NONE'],
    ]);
    expect([...c.node.children.keys()]).toEqual(['file', 'hidden', 'secondary']);
    expect(parentsOf(c.secondary)).toEqual(['colo1:root', 'hidden-disk:backing', 'replication-secondary:secondary']);
  });

  it('a failed chain check attaches no extra links (7.2)', async () => {
    const c = secondaryChain({ activeMakeEmpty: false });
    await steps(c.env, c.node, ['start(secondary)']);
    expect([...c.node.children.keys()]).toEqual(['file']);
  });

  it('v24 never attaches own links', async () => {
    const c = secondaryChain({ rules: V24, topId: 'no-such-node' });
    await steps(c.env, c.node, ['start(secondary)']);
    expect([...c.node.children.keys()]).toEqual(['file']);
  });

  it('checks the mode before the chain: a broken chain with the wrong mode reports the mode', async () => {
    const c = secondaryChain({ activeBacking: false });
    expect(await steps(c.env, c.node, ['start(primary)'])).toEqual([['start(primary)', "The parameter mode's value is invalid, needs 1, but got 0", 'NONE']]);
  });

  it('accepts a top-id naming a BlockBackend (its root) or a root filter above the node', async () => {
    const viaBackend = secondaryChain({ topId: 'vm' });
    expect(await steps(viaBackend.env, viaBackend.node, ['start(secondary)'])).toEqual([['start(secondary)', 'ok', 'RUNNING']]);
    expect(viaBackend.node.opBlockers).toEqual([BACKUP_BLOCKER_REASON]);

    const viaFilter = secondaryChain({ topId: 'filter' });
    expect(await steps(viaFilter.env, viaFilter.node, ['start(secondary)'])).toEqual([['start(secondary)', 'ok', 'RUNNING']]);
    // The blocker sits on the top, not on the replication node.
    expect(viaFilter.top!.opBlockers).toEqual([BACKUP_BLOCKER_REASON]);
    expect(viaFilter.node.opBlockers).toEqual([]);
  });

  it('rejects a top-id naming the node itself once a filter sits above it (not a root)', async () => {
    const c = secondaryChain({ topId: 'replication-secondary' });
    new PassFilter(c.env, 'quorum', c.node, TOP);
    expect(c.node.isRoot).toBe(false);
    expect(await steps(c.env, c.node, ['start(secondary)'])).toEqual([['start(secondary)', 'No top_bs or it is invalid', 'NONE']]);
  });
});

describe('ReplicationNode (secondary): a successful start', () => {
  it('7.2: inserts the copy-before-write filter, blocks the top, and the initial checkpoint empties active and hidden', async () => {
    const c = secondaryChain();
    await run(c.env, async () => {
      await c.active.write(0, filled(CS, 1));
      await c.hidden.write(3 * CS, filled(CS, 2));
    });
    expect([c.active.allocatedClusters, c.hidden.allocatedClusters]).toEqual([1, 1]);
    await run(c.env, () => c.node.start('secondary'));
    expect([c.node.stage, c.node.error]).toEqual(['RUNNING', null]);
    expect([c.active.allocatedClusters, c.hidden.allocatedClusters]).toEqual([0, 0]);
    expect([c.node.backupJob!.name, c.node.backupJob!.status, c.node.backupJob!.bitmap.armedCount()]).toEqual(['backup', 'running', 16]);
    expect(c.colo!.node.driver).toBe('copy-before-write');
    expect(c.hidden.backing).toBe(c.colo!.node);
    expect([...c.node.children.keys()]).toEqual(['file', 'hidden', 'secondary']);
    expect(c.node.opBlockers).toEqual([BACKUP_BLOCKER_REASON]);
  });

  it('v24: hooks a before-write notifier on the secondary disk instead', async () => {
    const c = secondaryChain({ rules: V24 });
    await run(c.env, () => c.node.start('secondary'));
    expect(c.secondary.beforeWrite.length).toBe(1);
    expect(c.colo!.node).toBe(c.secondary);
    expect(c.hidden.backing).toBe(c.secondary);
    expect([...c.node.children.keys()]).toEqual(['file']);
  });

  it('a failing initial checkpoint is returned, but the stage stays RUNNING with no error (§9.5)', async () => {
    for (const [rules, message] of [
      [QEMU_7_2, 'Failed to empty hidden_disk.qcow2: Input/output error'],
      [V24, 'Cannot make hidden disk empty'],
    ] as const) {
      const c = secondaryChain({ rules, faults: [{ kind: 'io-error', node: 'hidden-disk', op: 'make-empty', errno: 'EIO', times: 1 }] });
      expect(await steps(c.env, c.node, ['start(secondary)', 'get_error', 'start(secondary)'])).toEqual([
        ['start(secondary)', message, 'RUNNING'],
        ['get_error', 'ok', 'RUNNING'],
        ['start(secondary)', RUNNING_OR_DONE, 'RUNNING'],
      ]);
    }
  });
});

describe('ReplicationNode: outcome and stage of every op, per profile (reference §2.4, §2.9)', () => {
  const secondaryOps = [
    'get_error',
    'stop(false)',
    'stop(true)',
    'start(primary)',
    'start(secondary)',
    'start(secondary)',
    'start(primary)',
    'checkpoint',
    'get_error',
    'stop(false)',
    'get_error',
    'start(secondary)',
    'start(primary)',
    'stop(true)',
    'stop(false)',
    'checkpoint',
    'get_error',
  ];

  it('secondary, QEMU 7.2: stop without failover ends in DONE with the backup error; DONE absorbs start/stop/checkpoint', async () => {
    const c = secondaryChain();
    expect(await steps(c.env, c.node, ['checkpoint'])).toEqual([['checkpoint', BACKUP_CANCELLED, 'NONE']]);
    expect(await steps(c.env, c.node, secondaryOps)).toEqual([
      ['get_error', NOT_RUNNING, 'NONE'],
      ['stop(false)', NOT_RUNNING, 'NONE'],
      ['stop(true)', NOT_RUNNING, 'NONE'],
      ['start(primary)', "The parameter mode's value is invalid, needs 1, but got 0", 'NONE'],
      ['start(secondary)', 'ok', 'RUNNING'],
      ['start(secondary)', RUNNING_OR_DONE, 'RUNNING'],
      // The stage is checked before the mode.
      ['start(primary)', RUNNING_OR_DONE, 'RUNNING'],
      ['checkpoint', 'ok', 'RUNNING'],
      ['get_error', 'ok', 'RUNNING'],
      ['stop(false)', BACKUP_CANCELLED, 'DONE'],
      ['get_error', IO_ERROR, 'DONE'],
      ['start(secondary)', 'ok', 'DONE'],
      ['start(primary)', 'ok', 'DONE'],
      ['stop(true)', 'ok', 'DONE'],
      ['stop(false)', 'ok', 'DONE'],
      ['checkpoint', 'ok', 'DONE'],
      ['get_error', IO_ERROR, 'DONE'],
    ]);
    expect(c.node.error).toBe('EIO');
  });

  it('secondary, v24: DONE rejects start and stop, get_error fails outside RUNNING', async () => {
    const c = secondaryChain({ rules: V24 });
    expect(await steps(c.env, c.node, secondaryOps)).toEqual([
      ['get_error', NOT_RUNNING, 'NONE'],
      ['stop(false)', NOT_RUNNING, 'NONE'],
      ['stop(true)', NOT_RUNNING, 'NONE'],
      ['start(primary)', "The parameter mode's value is invalid, needs 1, but got 0", 'NONE'],
      ['start(secondary)', 'ok', 'RUNNING'],
      ['start(secondary)', RUNNING_OR_DONE, 'RUNNING'],
      ['start(primary)', RUNNING_OR_DONE, 'RUNNING'],
      ['checkpoint', 'ok', 'RUNNING'],
      ['get_error', 'ok', 'RUNNING'],
      ['stop(false)', BACKUP_CANCELLED, 'DONE'],
      ['get_error', NOT_RUNNING, 'DONE'],
      ['start(secondary)', RUNNING_OR_DONE, 'DONE'],
      ['start(primary)', RUNNING_OR_DONE, 'DONE'],
      ['stop(true)', NOT_RUNNING, 'DONE'],
      ['stop(false)', NOT_RUNNING, 'DONE'],
      // The borrowed secondary disk is still set (no failover cleared it): an error, not a crash.
      ['checkpoint', BACKUP_CANCELLED, 'DONE'],
      ['get_error', NOT_RUNNING, 'DONE'],
    ]);
  });

  const failoverOps = ['start(secondary)', 'stop(true)', 'get_error', 'start(secondary)', 'stop(false)', 'stop(true)', 'checkpoint', 'get_error', 'wait-commit', 'get_error', 'start(primary)', 'stop(false)', 'checkpoint'];

  it('secondary, QEMU 7.2: FAILOVER reports the backup error until the commit succeeds; FAILOVER and DONE ignore requests', async () => {
    const c = secondaryChain({ paceTicks: 10 });
    expect(await steps(c.env, c.node, failoverOps)).toEqual([
      ['start(secondary)', 'ok', 'RUNNING'],
      ['stop(true)', 'ok', 'FAILOVER'],
      ['get_error', IO_ERROR, 'FAILOVER'],
      ['start(secondary)', 'ok', 'FAILOVER'],
      ['stop(false)', 'ok', 'FAILOVER'],
      ['stop(true)', 'ok', 'FAILOVER'],
      ['checkpoint', 'ok', 'FAILOVER'],
      ['get_error', IO_ERROR, 'FAILOVER'],
      ['wait-commit', 'ok', 'DONE'],
      ['get_error', 'ok', 'DONE'],
      ['start(primary)', 'ok', 'DONE'],
      ['stop(false)', 'ok', 'DONE'],
      ['checkpoint', 'ok', 'DONE'],
    ]);
    // Successful failover: file is the secondary disk, the own links and the overlays are gone.
    expect(c.node.file).toBe(c.secondary);
    expect([...c.node.children.keys()]).toEqual(['file']);
    expect([c.active.open, c.hidden.open, c.node.error]).toEqual([false, false, null]);
  });

  it('secondary, v24: FAILOVER and DONE reject requests, and a checkpoint after a successful failover crashes', async () => {
    const c = secondaryChain({ rules: V24, paceTicks: 10 });
    expect(await steps(c.env, c.node, failoverOps)).toEqual([
      ['start(secondary)', 'ok', 'RUNNING'],
      ['stop(true)', 'ok', 'FAILOVER'],
      ['get_error', NOT_RUNNING, 'FAILOVER'],
      ['start(secondary)', RUNNING_OR_DONE, 'FAILOVER'],
      ['stop(false)', NOT_RUNNING, 'FAILOVER'],
      ['stop(true)', NOT_RUNNING, 'FAILOVER'],
      ['checkpoint', BACKUP_CANCELLED, 'FAILOVER'],
      ['get_error', NOT_RUNNING, 'FAILOVER'],
      ['wait-commit', 'ok', 'DONE'],
      ['get_error', NOT_RUNNING, 'DONE'],
      ['start(primary)', RUNNING_OR_DONE, 'DONE'],
      ['stop(false)', NOT_RUNNING, 'DONE'],
      [
        'checkpoint',
        'crash: the secondary side crashed: replication-secondary: secondary_do_checkpoint dereferenced a NULL secondary disk (stage DONE)',
        'DONE',
      ],
    ]);
  });

  for (const [rules, getError] of [
    [QEMU_7_2, IO_ERROR],
    [V24, NOT_RUNNING],
  ] as const) {
    it(`secondary, ${rules.name}: FAILOVER_FAILED rejects start, stop and checkpoint`, async () => {
      const c = secondaryChain({ rules, faults: [{ kind: 'job-fail', job: 'commit' }] });
      expect(await steps(c.env, c.node, ['start(secondary)'])).toEqual([['start(secondary)', 'ok', 'RUNNING']]);
      // Something to commit, so the commit copies (and fails at its first chunk).
      await run(c.env, () => c.vm.write(0, filled(512, 7)));
      expect(await steps(c.env, c.node, ['stop(true)', 'wait-commit'])).toEqual([
        ['stop(true)', 'ok', 'FAILOVER'],
        ['wait-commit', 'ok', 'FAILOVER_FAILED'],
      ]);
      expect(await steps(c.env, c.node, ['get_error', 'start(secondary)', 'start(primary)', 'stop(true)', 'stop(false)', 'checkpoint'])).toEqual([
        ['get_error', getError, 'FAILOVER_FAILED'],
        ['start(secondary)', RUNNING_OR_DONE, 'FAILOVER_FAILED'],
        ['start(primary)', RUNNING_OR_DONE, 'FAILOVER_FAILED'],
        ['stop(true)', NOT_RUNNING, 'FAILOVER_FAILED'],
        ['stop(false)', NOT_RUNNING, 'FAILOVER_FAILED'],
        ['checkpoint', BACKUP_CANCELLED, 'FAILOVER_FAILED'],
      ]);
      expect(c.node.error).toBe('EIO');
    });
  }

  const primaryOps = [
    'get_error',
    'stop(true)',
    'checkpoint',
    'start(secondary)',
    'start(primary)',
    'start(primary)',
    'checkpoint',
    'get_error',
    'stop(false)',
    'get_error',
    'start(primary)',
    'stop(true)',
    'checkpoint',
  ];

  it('primary, QEMU 7.2', async () => {
    const { env, node } = primaryNode(QEMU_7_2);
    expect(await steps(env, node, primaryOps)).toEqual([
      ['get_error', NOT_RUNNING, 'NONE'],
      ['stop(true)', NOT_RUNNING, 'NONE'],
      // A primary's checkpoint is a no-op success, even in NONE (§9.7).
      ['checkpoint', 'ok', 'NONE'],
      ['start(secondary)', "The parameter mode's value is invalid, needs 0, but got 1", 'NONE'],
      ['start(primary)', 'ok', 'RUNNING'],
      ['start(primary)', RUNNING_OR_DONE, 'RUNNING'],
      ['checkpoint', 'ok', 'RUNNING'],
      ['get_error', 'ok', 'RUNNING'],
      ['stop(false)', 'ok', 'DONE'],
      ['get_error', 'ok', 'DONE'],
      ['start(primary)', 'ok', 'DONE'],
      ['stop(true)', 'ok', 'DONE'],
      ['checkpoint', 'ok', 'DONE'],
    ]);
  });

  it('primary, v24', async () => {
    const { env, node } = primaryNode(V24);
    expect(await steps(env, node, primaryOps)).toEqual([
      ['get_error', NOT_RUNNING, 'NONE'],
      ['stop(true)', NOT_RUNNING, 'NONE'],
      ['checkpoint', 'ok', 'NONE'],
      ['start(secondary)', "The parameter mode's value is invalid, needs 0, but got 1", 'NONE'],
      ['start(primary)', 'ok', 'RUNNING'],
      ['start(primary)', RUNNING_OR_DONE, 'RUNNING'],
      ['checkpoint', 'ok', 'RUNNING'],
      ['get_error', 'ok', 'RUNNING'],
      ['stop(false)', 'ok', 'DONE'],
      ['get_error', NOT_RUNNING, 'DONE'],
      ['start(primary)', RUNNING_OR_DONE, 'DONE'],
      ['stop(true)', NOT_RUNNING, 'DONE'],
      ['checkpoint', 'ok', 'DONE'],
    ]);
  });

  it('primary: stop(true) behaves as stop(false) (the failover flag is irrelevant)', async () => {
    const { env, node } = primaryNode(QEMU_7_2);
    expect(await steps(env, node, ['start(primary)', 'stop(true)'])).toEqual([
      ['start(primary)', 'ok', 'RUNNING'],
      ['stop(true)', 'ok', 'DONE'],
    ]);
  });
});

describe('ReplicationNode (secondary): stop without failover (§9.2)', () => {
  it('cancels the backup job, unhooks and unblocks, but leaves active and hidden as they were', async () => {
    const c = secondaryChain();
    await run(c.env, async () => {
      await c.node.start('secondary');
      await c.vm.write(0, filled(CS, 0xa1));
      await c.colo!.write(2 * CS, filled(512, 0xb2));
    });
    const job = c.node.backupJob!;
    expect(await steps(c.env, c.node, ['stop(false)'])).toEqual([['stop(false)', BACKUP_CANCELLED, 'DONE']]);
    expect([job.status, c.node.backupJob, c.node.error]).toEqual(['cancelled', null, 'EIO']);
    expect(c.colo!.node).toBe(c.secondary);
    expect(c.hidden.backing).toBe(c.secondary);
    expect(c.node.opBlockers).toEqual([]);
    expect([c.active.allocatedClusters, c.hidden.allocatedClusters]).toEqual([1, 1]);
    // DONE without failover keeps passing I/O to the active chain: the view is unchanged.
    expect(encodeRuns(await run(c.env, () => c.vm.read(0, 3 * CS)))).toEqual([
      [0xa1, CS],
      [0x11, 2 * CS],
    ]);
  });
});

describe('ReplicationNode (secondary): checkpoint', () => {
  it('re-arms COW, then empties active, then hidden', async () => {
    const c = secondaryChain();
    await run(c.env, async () => {
      await c.node.start('secondary');
      await c.vm.write(0, filled(CS, 0xa1));
      await c.colo!.write(2 * CS, filled(CS, 0xb2));
    });
    expect(c.node.backupJob!.bitmap.armedCount()).toBe(15);
    expect(encodeRuns(await run(c.env, () => c.vm.read(0, 3 * CS)))).toEqual([
      [0xa1, CS],
      [0x11, 2 * CS],
    ]);
    await run(c.env, () => c.node.checkpoint());
    expect([c.active.allocatedClusters, c.hidden.allocatedClusters, c.node.backupJob!.bitmap.armedCount()]).toEqual([0, 0, 16]);
    // The buffer is dropped: the view is the secondary disk, with the primary's write.
    expect(encodeRuns(await run(c.env, () => c.vm.read(0, 3 * CS)))).toEqual([
      [0x11, 2 * CS],
      [0xb2, CS],
    ]);
  });

  it('7.2: a failed make_empty of active leaves hidden full; the active disk is then ejected', async () => {
    const c = secondaryChain({ faults: [{ kind: 'io-error', node: 'active-disk', op: 'make-empty', errno: 'EIO', afterOps: 1, times: 1 }] });
    await run(c.env, async () => {
      await c.node.start('secondary');
      await c.vm.write(0, filled(CS, 0xa1));
      await c.colo!.write(2 * CS, filled(CS, 0xb2));
    });
    expect(await steps(c.env, c.node, ['checkpoint', 'checkpoint', 'get_error'])).toEqual([
      ['checkpoint', 'Failed to empty active_disk.qcow2: Input/output error', 'RUNNING'],
      ['checkpoint', 'Active disk active-disk is ejected', 'RUNNING'],
      // A checkpoint failure never touches the replication error.
      ['get_error', 'ok', 'RUNNING'],
    ]);
    expect([c.active.ejected, c.hidden.allocatedClusters, c.node.backupJob!.bitmap.armedCount()]).toEqual([true, 1, 16]);
  });

  it('7.2: a failed make_empty of hidden happens after active was emptied', async () => {
    const c = secondaryChain({ faults: [{ kind: 'io-error', node: 'hidden-disk', op: 'make-empty', errno: 'ENOSPC', afterOps: 1, times: 1 }] });
    await run(c.env, async () => {
      await c.node.start('secondary');
      await c.vm.write(0, filled(CS, 0xa1));
      await c.colo!.write(2 * CS, filled(CS, 0xb2));
    });
    expect(await steps(c.env, c.node, ['checkpoint', 'checkpoint'])).toEqual([
      ['checkpoint', 'Failed to empty hidden_disk.qcow2: No space left on device', 'RUNNING'],
      ['checkpoint', 'Hidden disk hidden-disk is ejected', 'RUNNING'],
    ]);
    expect([c.active.allocatedClusters, c.hidden.ejected]).toEqual([0, true]);
  });

  it('v24: its own make_empty messages', async () => {
    const c = secondaryChain({ rules: V24, faults: [{ kind: 'io-error', node: 'active-disk', op: 'make-empty', errno: 'EIO', afterOps: 1, times: 1 }] });
    expect(await steps(c.env, c.node, ['start(secondary)', 'checkpoint'])).toEqual([
      ['start(secondary)', 'ok', 'RUNNING'],
      ['checkpoint', 'Cannot make active disk empty', 'RUNNING'],
    ]);
  });
});

describe('ReplicationNode: what QEMU crashed on is a SimulatedCrash, not a JavaScript error', () => {
  it('v24: a checkpoint before start dereferences the NULL secondary disk', async () => {
    const c = secondaryChain({ rules: V24 });
    const error = await run(c.env, () => c.node.checkpoint().then(() => null, (e: unknown) => e));
    expect(error).toBeInstanceOf(SimulatedCrash);
    const crash = error as SimulatedCrash;
    expect([crash.side, crash.injected, crash.code, crash.message]).toEqual([
      'secondary',
      false,
      'CRASH',
      'the secondary side crashed: replication-secondary: secondary_do_checkpoint dereferenced a NULL secondary disk (stage NONE)',
    ]);
  });

  it('v24: a start that failed after finding the secondary disk leaves it borrowed, so a checkpoint errors instead', async () => {
    const found = secondaryChain({ rules: V24, activeSizeBytes: 2 * SIZE });
    expect(await steps(found.env, found.node, ['start(secondary)', 'checkpoint'])).toEqual([
      ['start(secondary)', "Active disk, hidden disk, secondary disk's length are not the same", 'NONE'],
      ['checkpoint', BACKUP_CANCELLED, 'NONE'],
    ]);
    const notFound = secondaryChain({ rules: V24, hiddenBacking: false });
    expect(await steps(notFound.env, notFound.node, ['start(secondary)', 'checkpoint'])).toEqual([
      ['start(secondary)', "Hidden disk doesn't have backing file", 'NONE'],
      ['checkpoint', 'crash: the secondary side crashed: replication-secondary: secondary_do_checkpoint dereferenced a NULL secondary disk (stage NONE)', 'NONE'],
    ]);
  });

  it('an ejected active disk at checkpoint: 7.2 reports it, v24 calls through the NULL driver', async () => {
    const ok = secondaryChain();
    await run(ok.env, () => ok.node.start('secondary'));
    ok.active.eject();
    expect(await steps(ok.env, ok.node, ['checkpoint'])).toEqual([['checkpoint', 'Active disk active-disk is ejected', 'RUNNING']]);

    const old = secondaryChain({ rules: V24 });
    await run(old.env, () => old.node.start('secondary'));
    old.hidden.eject();
    expect(await steps(old.env, old.node, ['checkpoint'])).toEqual([
      ['checkpoint', 'crash: the secondary side crashed: replication-secondary: make_empty through the NULL driver of ejected hidden-disk', 'RUNNING'],
    ]);
  });

  it('v24: closing during FAILOVER leaves the commit running, and its callback crashes the process through onCrash', async () => {
    const c = secondaryChain({ rules: V24, paceTicks: 10 });
    await run(c.env, async () => {
      await c.node.start('secondary');
      await c.vm.write(0, filled(CS, 0xa1));
      await c.node.stop(true);
      await c.node.close();
      // close returned at once: the commit is still running.
      expect([c.node.stage, c.node.commitJob!.status, c.crashes.length]).toEqual(['FAILOVER', 'running', 0]);
    });
    expect(c.crashes.map((crash) => [crash.constructor.name, crash.side, crash.message])).toEqual([
      ['SimulatedCrash', 'secondary', 'the secondary side crashed: replication-secondary: commit completion callback ran on a closed replication node'],
    ]);
    expect(c.node.stage).toBe('FAILOVER');
  });
});

describe('ReplicationNode (primary): I/O and the swallowed write error', () => {
  it('swallows a failed forwarded write while RUNNING; get_error reports it until stop clears it', async () => {
    const { env, link, node } = primaryNode(QEMU_7_2, [{ kind: 'io-error', node: 'link', op: 'write', errno: 'ENOSPC', times: 1 }]);
    expect(await run(env, async () => {
      const out: string[] = [];
      await node.start('primary');
      out.push(await outcome(node.write(0, filled(512, 0x22))));
      out.push(String(node.error));
      out.push(await outcome(node.getError()));
      out.push(await outcome(node.checkpoint()));
      out.push(await outcome(node.getError()));
      // A later successful write does not clear the error.
      out.push(await outcome(node.write(512, filled(512, 0x33))));
      out.push(await outcome(node.getError()));
      out.push(await outcome(node.stop(false)));
      out.push(String(node.error));
      out.push(await outcome(node.getError()));
      return out;
    })).toEqual(['ok', 'ENOSPC', IO_ERROR, 'ok', IO_ERROR, 'ok', IO_ERROR, 'ok', 'null', 'ok']);
    // The failed write never reached the link; the second one did.
    expect(peekRuns(link, 0, 1024)).toEqual([
      [0x11, 512],
      [0x33, 512],
    ]);
    const io = env.trace.events().filter((e) => e.kind === 'repl-io').map((e) => [e.fields.op, e.fields.stage, e.fields.result, e.fields.lower]);
    expect(io).toEqual([
      ['write', 'RUNNING', 'swallowed', 'failed'],
      ['write', 'RUNNING', 'ok', 'ok'],
    ]);
  });

  it('fails reads in every stage and writes outside RUNNING with EIO, never swallowed, never reaching the link', async () => {
    const { env, node } = primaryNode(QEMU_7_2);
    const got = await run(env, async () => {
      const out: string[] = [];
      const io = async () => [await outcome(node.read(0, 512)), await outcome(node.write(0, filled(512, 1)))].join(' / ');
      out.push(`${node.stage}: ${await io()}`);
      await node.start('primary');
      out.push(`${node.stage}: ${await io()}`);
      await node.stop(false);
      out.push(`${node.stage}: ${await io()}`);
      return out;
    });
    expect(got).toEqual(['NONE: errno: EIO / errno: EIO', 'RUNNING: errno: EIO / ok', 'DONE: errno: EIO / errno: EIO']);
    expect(node.error).toBeNull();
    expect(env.trace.eventsOf('io').filter((e) => e.fields.node === 'link').map((e) => e.fields.op)).toEqual(['write']);
  });

  it('does not swallow what is not an I/O error (a crash below passes through)', async () => {
    const env = new SimEnv();
    class CrashingLink extends RawNode {
      protected override async doWrite(): Promise<void> {
        throw new SimulatedCrash('primary', 'crash below the replication node');
      }
    }
    const node = new ReplicationNode(env, {
      name: 'replication-primary',
      mode: 'primary',
      file: new CrashingLink(env, 'link', SIZE),
      rules: QEMU_7_2,
      registry: new NodeRegistry(),
      framework: new ReplicationFramework(),
      side: 'primary',
      commit: { chunkBytes: CS, paceTicks: 0 },
      onCrash: () => undefined,
    });
    expect(await run(env, async () => {
      await node.start('primary');
      return outcome(node.write(0, filled(512, 1)));
    })).toBe('crash: the primary side crashed: crash below the replication node');
    expect(node.error).toBeNull();
  });
});

describe('ReplicationNode (secondary): I/O', () => {
  it('fails reads and writes in NONE with EIO; passes errors of the active chain through unswallowed', async () => {
    const c = secondaryChain({ faults: [{ kind: 'io-error', node: 'active-disk', op: 'write', errno: 'ENOSPC', fromTick: 1 }] });
    expect(await run(c.env, async () => [await outcome(c.vm.read(0, 512)), await outcome(c.vm.write(0, filled(512, 1)))])).toEqual(['errno: EIO', 'errno: EIO']);
    await run(c.env, () => c.node.start('secondary'));
    await run(c.env, () => c.env.sched.sleep('tick', 1));
    expect(await run(c.env, () => outcome(c.vm.write(0, filled(512, 1))))).toBe('errno: ENOSPC');
    expect(c.node.error).toBeNull();
  });

  for (const rules of [QEMU_7_2, V24]) {
    describe(`${rules.name}: FAILOVER_FAILED splits writes by allocation above the secondary disk`, () => {
      /** SVM data in active cluster 0, a primary write COWed into hidden cluster 2, then a commit that fails at once. */
      async function failedFailover(faults: readonly Fault[] = []) {
        const c = secondaryChain({ rules, faults: [{ kind: 'job-fail', job: 'commit' }, ...faults] });
        await run(c.env, async () => {
          await c.node.start('secondary');
          await c.vm.write(0, filled(CS, 0xa1));
          await c.colo!.write(2 * CS, filled(CS, 0xb2));
          await c.node.stop(true);
          await c.node.waitCommit('test');
        });
        expect([c.node.stage, c.node.commitJob!.status, c.node.commitJob!.bytesCopied]).toEqual(['FAILOVER_FAILED', 'failed', 0]);
        // Nothing was committed: the secondary disk holds the primary's data only.
        expect(peekRuns(c.secondary, 0, 4 * CS)).toEqual([
          [0x11, 2 * CS],
          [0xb2, CS],
          [0x11, CS],
        ]);
        return c;
      }

      it('a run shadowed by active or hidden goes to active, the rest straight to the secondary disk', async () => {
        const c = await failedFailover();
        await run(c.env, () => c.vm.write(CS / 2, filled(3 * CS, 0xc3)));
        // Runs: [CS/2, CS) active (allocated there), [CS, 2CS) secondary, [2CS, 3CS) active (shadowed by hidden), [3CS, 3.5CS) secondary.
        expect(peekRuns(c.secondary, 0, 4 * CS)).toEqual([
          [0x11, CS],
          [0xc3, CS],
          [0xb2, CS],
          [0xc3, CS / 2],
          [0x11, CS / 2],
        ]);
        const status = await run(c.env, () => Promise.all([0, 1, 2, 3].map((i) => c.active.blockStatus(i * CS, CS))));
        expect(status.map((s) => s.kind)).toEqual(['data', 'unallocated', 'data', 'unallocated']);
        expect(peekRuns(c.active, 0, CS)).toEqual([
          [0xa1, CS / 2],
          [0xc3, CS / 2],
        ]);
        expect(peekRuns(c.active, 2 * CS, CS)).toEqual([[0xc3, CS]]);
        // Hidden keeps the COW copy it had.
        expect([c.hidden.allocatedClusters, ...peekRuns(c.hidden, 2 * CS, CS)]).toEqual([1, [0x11, CS]]);
        // And the view is consistent.
        expect(encodeRuns(await run(c.env, () => c.vm.read(0, 4 * CS)))).toEqual([
          [0xa1, CS / 2],
          [0xc3, 3 * CS],
          [0x11, CS / 2],
        ]);
      });

      it('an error on one run fails the write; later runs are not written', async () => {
        // The primary's forwarded write was the secondary disk's first write; the split's first base run is the second.
        const c = await failedFailover([{ kind: 'io-error', node: 'secondary-disk', op: 'write', errno: 'EIO', afterOps: 1 }]);
        expect(await run(c.env, () => outcome(c.vm.write(CS / 2, filled(3 * CS, 0xc3))))).toBe('errno: EIO');
        expect(peekRuns(c.active, 0, CS)).toEqual([
          [0xa1, CS / 2],
          [0xc3, CS / 2],
        ]);
        // The third run (active, cluster 2) was never attempted.
        expect(c.active.allocatedClusters).toBe(1);
        expect(peekRuns(c.secondary, CS, CS)).toEqual([[0x11, CS]]);
      });
    });
  }
});

describe('ReplicationNode (secondary): a read racing a copy-before-write of its cluster', () => {
  for (const rules of [QEMU_7_2, V24]) {
    it(`${rules.name}: waits for the copy (v24 through guardRead, 7.2 through the serialising copy) and reads the old data`, async () => {
      const c = secondaryChain({ rules, faults: [{ kind: 'latency', node: 'hidden-disk', op: 'write', ticks: 100 }] });
      await run(c.env, () => c.node.start('secondary'));
      const t0 = c.env.now();
      const read = (offset: number) =>
        c.env.sched.spawn(`read ${offset}`, async () => {
          await c.env.sched.sleep('after the primary write started', 1);
          const data = await c.vm.read(offset, 512);
          return [encodeRuns(data), c.env.now() - t0];
        });
      c.env.sched.spawn('primary write', () => c.colo!.write(CS, filled(512, 0xb2)));
      const same = read(CS + 4096);
      const other = read(5 * CS);
      await c.env.sched.run();
      expect(same.result()).toEqual([[[0x11, 512]], 100]);
      expect(other.result()).toEqual([[[0x11, 512]], 1]);
    });
  }
});

describe('ReplicationNode (secondary): backup job ending by itself', () => {
  it('sets the replication error in RUNNING, drops the job and the blocker; the next checkpoint fails', async () => {
    const c = secondaryChain({ faults: [{ kind: 'job-fail', job: 'backup', node: 'replication-secondary' }] });
    await run(c.env, async () => {
      await c.node.start('secondary');
      await c.colo!.write(0, filled(512, 0xb2));
    });
    expect([c.node.stage, c.node.error, c.node.backupJob, c.node.opBlockers]).toEqual(['RUNNING', 'EIO', null, []]);
    expect(await steps(c.env, c.node, ['get_error', 'checkpoint'])).toEqual([
      ['get_error', IO_ERROR, 'RUNNING'],
      ['checkpoint', BACKUP_CANCELLED, 'RUNNING'],
    ]);
  });
});

describe('ReplicationNode: close and deletion', () => {
  it("refuses deletion while the backup job blocks the node: QEMU's busy message", async () => {
    const c = secondaryChain();
    expect(() => c.node.checkDeletable()).not.toThrow();
    await run(c.env, () => c.node.start('secondary'));
    let error: unknown;
    try {
      c.node.checkDeletable();
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(QemuError);
    expect((error as QemuError).message).toBe("Node 'replication-secondary' is busy: Block device is in use by internal backup job");
    await steps(c.env, c.node, ['stop(false)']);
    expect(() => c.node.checkDeletable()).not.toThrow();
  });

  it('a node under a separate top stays deletable while RUNNING (the blocker is on the top)', async () => {
    const c = secondaryChain({ topId: 'filter' });
    await run(c.env, () => c.node.start('secondary'));
    expect(() => c.node.checkDeletable()).not.toThrow();
  });

  it('close in RUNNING stops internally (errors ignored), ends in DONE and leaves the framework, as one traced op', async () => {
    const c = secondaryChain({ topId: 'filter' });
    await run(c.env, async () => {
      await c.node.start('secondary');
      await c.vm.write(0, filled(512, 0xa1));
    });
    expect(c.framework.nodes).toEqual([c.node]);
    await run(c.env, () => c.node.close());
    expect([c.node.stage, c.node.open, c.node.error, c.node.backupJob, c.top!.opBlockers]).toEqual(['DONE', false, 'EIO', null, []]);
    expect(c.framework.nodes).toEqual([]);
    expect(c.colo!.node).toBe(c.secondary);
    // Not emptied (the internal stop's checkpoint failed).
    expect(c.active.allocatedClusters).toBe(1);
    const ops = c.env.trace.events().filter((e) => e.kind === 'repl-op').map((e) => [e.fields.op, e.fields.stage, e.fields.ok]);
    expect(ops).toEqual([
      ['start', 'NONE', true],
      ['close', 'RUNNING', true],
    ]);
  });

  it('close in NONE only leaves the framework', async () => {
    const c = secondaryChain();
    await run(c.env, () => c.node.close());
    expect([c.node.stage, c.node.open, c.framework.nodes.length]).toEqual(['NONE', false, 0]);
  });

  it('7.2: close in FAILOVER cancels the commit and waits for it: no pivot, the partial copy stays', async () => {
    const c = secondaryChain({ paceTicks: 10 });
    await run(c.env, async () => {
      await c.node.start('secondary');
      await c.vm.write(0, filled(CS, 0xa1));
      await c.vm.write(4 * CS, filled(CS, 0xa2));
      await c.node.stop(true);
      // Let the commit copy its first chunk, then close in the middle of the pacing wait.
      await c.env.sched.sleep('test', 5);
      await c.node.close();
    });
    expect([c.node.commitJob!.status, c.node.commitJob!.bytesCopied, c.node.open, c.framework.nodes.length]).toEqual(['cancelled', CS, false, 0]);
    expect(c.node.file).toBe(c.active);
    expect(peekRuns(c.secondary, 0, 5 * CS)).toEqual([
      [0xa1, CS],
      [0x11, 4 * CS],
    ]);
    expect(c.crashes).toEqual([]);
  });
});

describe('ReplicationNode: guest request ids', () => {
  it("traces each request under its id, and passes the id to its file child's I/O", async () => {
    const { env, node, link } = primaryNode(QEMU_7_2, [{ kind: 'io-error', node: 'link', op: 'write', errno: 'ENOSPC', times: 1 }]);
    await run(env, async () => {
      await node.start('primary');
      await node.write(0, filled(512, 1), { requestId: 11 });
      await node.write(512, filled(512, 2), { requestId: 12 });
      await outcome(node.read(0, 512, { requestId: 13 }));
    });
    expect(env.trace.eventsOf('repl-io').map((e) => [e.fields.op, e.fields.result, e.fields.req])).toEqual([
      ['write', 'swallowed', 11],
      ['write', 'ok', 12],
      ['read', 'EIO', 13],
    ]);
    expect(env.trace.eventsOf('io').filter((e) => e.fields.node === link.name).map((e) => [e.fields.op, e.fields.offset, e.fields.req])).toEqual([['write', 512, 12]]);
  });

  it('a secondary write without an id (not a guest request) carries none', async () => {
    const { env, node } = secondaryChain();
    await run(env, async () => {
      await node.start('secondary');
      await node.write(0, filled(CS, 1));
    });
    expect(env.trace.eventsOf('repl-io').map((e) => e.fields.req)).toEqual([undefined]);
    expect(env.trace.eventsOf('io').filter((e) => e.fields.op === 'write').map((e) => [e.fields.node, e.fields.req])).toEqual([['active-disk', undefined]]);
  });
});
