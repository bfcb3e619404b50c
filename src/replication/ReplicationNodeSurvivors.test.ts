/*
 * Behaviours of the replication node that the main suite left unobserved (found by mutation
 * testing): bdrv_co_flush over the node's children (QEMU's child list order, first error wins, all
 * children flushed), the trace events the conformance checker reads (op names, I/O results), the
 * crashes of a stop on ejected disks, waitCommit on a closed node, and a profile's rules as they
 * show in behaviour. Engine runs are step bounded so a looping mutant fails fast.
 */
import { describe, expect, it } from 'vitest';
import { BlockBackend } from '../block/BlockBackend.js';
import { BlockError } from '../block/BlockError.js';
import { NodeRegistry } from '../block/NodeRegistry.js';
import { OverlayNode } from '../block/OverlayNode.js';
import { RawNode } from '../block/RawNode.js';
import type { Fault } from '../sim/FaultPlan.js';
import { SimEnv } from '../sim/SimEnv.js';
import { SimulatedCrash } from '../sim/SimulatedCrash.js';
import { filled, run } from '../block/testing/simHelpers.js';
import { type ProfileRules, QEMU_10_0_2, QEMU_7_2, V24, profileRules } from './Profile.js';
import { QemuError } from './QemuError.js';
import { ReplicationFramework } from './ReplicationFramework.js';
import { ReplicationNode } from './ReplicationNode.js';
import { checkSecondaryChain } from './SecondaryChain.js';

const KiB = 1024;
const CS = 64 * KiB;
const SIZE = 16 * CS;
const MAX_STEPS = 200_000;

/** Replacement overlay classes for hidden and active, to model a failure no fault kind expresses. */
interface Overlays {
  readonly Hidden?: typeof OverlayNode;
  readonly Active?: typeof OverlayNode;
}

function chain(rules: ProfileRules = QEMU_7_2, faults: readonly Fault[] = [], paceTicks = 0, scanTicksPerCluster = 0, overlays: Overlays = {}) {
  const env = new SimEnv({ traceLevel: 'full', faults, maxSteps: MAX_STEPS });
  const registry = new NodeRegistry();
  const framework = new ReplicationFramework();
  const secondary = new RawNode(env, 'secondary-disk', SIZE, { fill: 0x11 });
  const hidden = new (overlays.Hidden ?? OverlayNode)(env, 'hidden-disk', SIZE, { makeEmpty: true });
  const active = new (overlays.Active ?? OverlayNode)(env, 'active-disk', SIZE, { makeEmpty: true });
  hidden.filename = 'hidden_disk.qcow2';
  active.filename = 'active_disk.qcow2';
  hidden.attach('backing', secondary);
  active.attach('backing', hidden);
  const colo = new BlockBackend('colo1', secondary);
  const crashes: SimulatedCrash[] = [];
  const name = 'replication-secondary';
  const node = new ReplicationNode(env, {
    name,
    mode: 'secondary',
    topId: name,
    file: active,
    rules,
    registry,
    framework,
    side: 'secondary',
    commit: { chunkBytes: CS, paceTicks, scanTicksPerCluster },
    onCrash: (crash) => crashes.push(crash),
  });
  const vm = new BlockBackend('vm', node);
  for (const n of [secondary, hidden, active, node]) registry.addNode(n);
  registry.addBackend(vm);
  registry.addBackend(colo);
  return { env, registry, secondary, hidden, active, colo, node, vm, crashes };
}

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

const flushedNodes = (env: SimEnv) =>
  env.trace
    .eventsOf('io')
    .filter((e) => e.fields.op === 'flush')
    .map((e) => e.fields.node);

describe('ReplicationNode: flush reaches every child it may write (bdrv_co_flush, no flush callback)', () => {
  /** RUNNING on 7.2, with a write that reached each of active, hidden (a COW) and the secondary disk. */
  async function running(faults: readonly Fault[]) {
    const c = chain(QEMU_7_2, faults);
    await run(c.env, async () => {
      await c.node.start('secondary');
      await c.vm.write(0, filled(CS, 0xa1));
      await c.colo.write(2 * CS, filled(CS, 0xb2));
    });
    return c;
  }

  it('flushes the secondary disk, hidden and active without error', async () => {
    const c = await running([]);
    const before = flushedNodes(c.env).length;
    expect(await run(c.env, () => outcome(c.vm.flush()))).toBe('ok');
    expect(flushedNodes(c.env).slice(before).sort()).toEqual(['active-disk', 'hidden-disk', 'secondary-disk']);
  });

  it('the newest child first: the secondary-disk link, then hidden, then the file; the first error is the answer, all are flushed', async () => {
    const c = await running([
      { kind: 'io-error', node: 'secondary-disk', op: 'flush', errno: 'ENOSPC' },
      { kind: 'io-error', node: 'hidden-disk', op: 'flush', errno: 'EIO' },
    ]);
    const before = flushedNodes(c.env).length;
    expect(await run(c.env, () => outcome(c.vm.flush()))).toBe('errno: ENOSPC');
    // Active was still flushed after both errors.
    expect(flushedNodes(c.env).slice(before)).toEqual(['active-disk']);
  });

  it('one failing child fails the flush', async () => {
    const c = await running([{ kind: 'io-error', node: 'hidden-disk', op: 'flush', errno: 'EIO' }]);
    expect(await run(c.env, () => outcome(c.vm.flush()))).toBe('errno: EIO');
  });

  it("passes the guest request's id to the children's flushes", async () => {
    const c = await running([]);
    const before = c.env.trace.eventsOf('io').length;
    await run(c.env, () => c.vm.flush(42));
    const reqs = c.env.trace
      .eventsOf('io')
      .slice(before)
      .filter((e) => e.fields.op === 'flush')
      .map((e) => [e.fields.node, e.fields.req]);
    expect(reqs.sort()).toEqual([
      ['active-disk', 42],
      ['hidden-disk', 42],
      ['secondary-disk', 42],
    ]);
  });
});

const replIo = (env: SimEnv) =>
  env.trace.eventsOf('repl-io').map((e) => [e.fields.op, e.fields.stage, e.fields.result, e.fields.lower]);

describe('ReplicationNode: the trace the conformance checker reads', () => {
  it('secondary: requests refused in NONE never reach the file; requests in RUNNING report the outcome of the file', async () => {
    const c = chain(QEMU_7_2, [{ kind: 'io-error', node: 'active-disk', op: 'read', errno: 'ENOSPC', offset: 4 * CS, bytes: CS }]);
    const got = await run(c.env, async () => {
      const out = [await outcome(c.vm.read(0, 512)), await outcome(c.vm.write(0, filled(512, 1)))];
      await c.node.start('secondary');
      out.push(await outcome(c.vm.read(0, 512)), await outcome(c.vm.read(4 * CS, 512)));
      return out;
    });
    expect(got).toEqual(['errno: EIO', 'errno: EIO', 'ok', 'errno: ENOSPC']);
    expect(replIo(c.env)).toEqual([
      ['read', 'NONE', 'EIO', 'none'],
      ['write', 'NONE', 'EIO', 'none'],
      ['read', 'RUNNING', 'ok', 'ok'],
      ['read', 'RUNNING', 'ENOSPC', 'failed'],
    ]);
  });

  it('primary: a crash below the node is traced as a crash that reached the file', async () => {
    const env = new SimEnv({ traceLevel: 'full', maxSteps: MAX_STEPS });
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
    const got = await run(env, async () => {
      await node.start('primary');
      return outcome(node.write(0, filled(512, 1)));
    });
    expect(got).toBe('crash: the primary side crashed: crash below the replication node');
    expect(replIo(env)).toEqual([['write', 'RUNNING', 'crash', 'failed']]);
  });

  it('get_error is traced under its name, its beginning and its end', async () => {
    const c = chain();
    expect(await run(c.env, () => outcome(c.node.getError()))).toBe('Block replication is not running');
    const ops = c.env.trace
      .events()
      .map((e) => (e.kind === 'repl-op' ? [e.kind, e.fields.op, e.fields.ok, e.fields.error] : e.kind === 'repl-op-begin' ? [e.kind, e.fields.op] : null))
      .filter((e) => e !== null);
    expect(ops).toEqual([
      ['repl-op-begin', 'get_error'],
      ['repl-op', 'get_error', false, 'Block replication is not running'],
    ]);
  });
});

describe('ReplicationNode (secondary): a stop on disks a failed make_empty ejected (QEMU 7.2, observed)', () => {
  async function ejected(disk: 'active-disk' | 'hidden-disk') {
    const c = chain(QEMU_7_2, [{ kind: 'io-error', node: disk, op: 'make-empty', errno: 'EIO', afterOps: 1, times: 1 }]);
    const got = await run(c.env, async () => {
      await c.node.start('secondary');
      await c.vm.write(0, filled(CS, 0xa1));
      await c.colo.write(2 * CS, filled(CS, 0xb2));
      return outcome(c.node.checkpoint());
    });
    return { c, got };
  }

  it('an ejected hidden disk: the stop crashes reopening it (SIGSEGV), with or without failover', async () => {
    for (const failover of [false, true]) {
      const { c, got } = await ejected('hidden-disk');
      expect([got, c.hidden.ejected]).toEqual(['Failed to empty hidden_disk.qcow2: Input/output error', true]);
      expect(await run(c.env, () => outcome(c.node.stop(failover)))).toBe(
        'crash: the secondary side crashed: replication-secondary: stop reopens the ejected hidden-disk (SIGSEGV)',
      );
    }
  });

  it('an ejected active disk: the failover commit crashes (SIGFPE); a stop without failover survives', async () => {
    const a = await ejected('active-disk');
    expect([a.got, a.c.active.ejected]).toEqual(['Failed to empty active_disk.qcow2: Input/output error', true]);
    expect(await run(a.c.env, () => outcome(a.c.node.stop(true)))).toBe(
      'crash: the secondary side crashed: replication-secondary: the failover commit starts on the ejected active-disk (SIGFPE)',
    );
    const b = await ejected('active-disk');
    expect(await run(b.c.env, () => outcome(b.c.node.stop(false)))).toBe('Backup job was cancelled unexpectedly');
    expect(b.c.node.stage).toBe('DONE');
  });
});

describe('ReplicationNode: waitCommit', () => {
  it('v24: on a node closed during FAILOVER it returns at once, though the commit still runs', async () => {
    const c = chain(V24, [], 10);
    const got = await run(c.env, async () => {
      await c.node.start('secondary');
      await c.vm.write(0, filled(CS, 0xa1));
      await c.node.stop(true);
      await c.node.close();
      const t0 = c.env.now();
      await c.node.waitCommit('test');
      return [c.env.now() - t0, c.node.commitJob!.status];
    });
    expect(got).toEqual([0, 'running']);
  });
});

describe('Profiles as they show in behaviour', () => {
  it('each profile is found under its own name', () => {
    expect(['qemu-7.2', 'qemu-10.0.2', 'v24'].map((name) => profileRules(name as ProfileRules['name']).name)).toEqual(['qemu-7.2', 'qemu-10.0.2', 'v24']);
  });

  it('QEMU 10.0.2 behaves as 7.2 at start and after promotion: a copy-before-write filter, DONE absorbs start and stop', async () => {
    const c = chain(QEMU_10_0_2);
    const got = await run(c.env, async () => {
      await c.node.start('secondary');
      const filter = c.colo.node.driver;
      const stop = await outcome(c.node.stop(false));
      return [filter, stop, await outcome(c.node.start('secondary')), await outcome(c.node.stop(true)), c.node.stage];
    });
    expect(got).toEqual(['copy-before-write', 'Backup job was cancelled unexpectedly', 'ok', 'ok', 'DONE']);
  });

  /**
   * The failover commit's start-up scan takes 100 ticks per allocated cluster of active (clusters 0
   * and 2); 150 ticks in, it has passed unallocated cluster 1, where the guest then writes.
   */
  async function writeDuringCommitScan(rules: ProfileRules) {
    const c = chain(rules, [], 0, 100);
    await run(c.env, async () => {
      await c.node.start('secondary');
      await c.vm.write(0, filled(CS, 0xa0));
      await c.vm.write(2 * CS, filled(CS, 0xa2));
      await c.node.stop(true);
      await c.env.sched.sleep('guest write', 150);
      await c.vm.write(CS, filled(512, 0xc1));
      await c.node.waitCommit('test');
    });
    return [c.node.stage, c.secondary.peek(CS, 512)[0], c.secondary.peek(0, 512)[0], c.secondary.peek(2 * CS, 512)[0]];
  }

  it('7.2 and v24: a guest write during the commit scan is committed; 10.0.2 loses it at the pivot (GitLab #3273)', async () => {
    expect(await writeDuringCommitScan(QEMU_7_2)).toEqual(['DONE', 0xc1, 0xa0, 0xa2]);
    expect(await writeDuringCommitScan(V24)).toEqual(['DONE', 0xc1, 0xa0, 0xa2]);
    expect(await writeDuringCommitScan(QEMU_10_0_2)).toEqual(['DONE', 0x11, 0xa0, 0xa2]);
  });
});

describe('checkSecondaryChain: the disks found before the failing check', () => {
  function disks(o: { activeBacking?: boolean; hiddenBacking?: boolean; secondarySize?: number }) {
    const env = new SimEnv({ maxSteps: MAX_STEPS });
    const secondary = new RawNode(env, 'secondary-disk', o.secondarySize ?? SIZE);
    const hidden = new OverlayNode(env, 'hidden-disk', SIZE, { makeEmpty: true });
    const active = new OverlayNode(env, 'active-disk', SIZE, { makeEmpty: true });
    if (o.hiddenBacking ?? true) hidden.attach('backing', secondary);
    if (o.activeBacking ?? true) active.attach('backing', hidden);
    new BlockBackend('colo1', secondary);
    const check = checkSecondaryChain(active);
    const found = Object.entries(check.found).map(([role, node]) => [role, node?.name]);
    return [check.error, found];
  }

  it('active without backing: active only', () => {
    expect(disks({ activeBacking: false })).toEqual(["Active disk doesn't have backing file", [['active', 'active-disk']]]);
  });

  it('hidden without backing: active and hidden', () => {
    expect(disks({ hiddenBacking: false })).toEqual(["Hidden disk doesn't have backing file", [['active', 'active-disk'], ['hidden', 'hidden-disk']]]);
  });

  it('a secondary disk of another length than active and hidden fails the length check', () => {
    expect(disks({ secondarySize: 2 * SIZE })).toEqual([
      "Active disk, hidden disk, secondary disk's length are not the same",
      [['active', 'active-disk'], ['hidden', 'hidden-disk'], ['secondary', 'secondary-disk']],
    ]);
  });
});

describe('ReplicationNode (secondary): the backup job ends after the top-id stopped resolving (reference §9.6)', () => {
  it('the stop goes on and the blocker stays on the top', async () => {
    const c = chain();
    await run(c.env, () => c.node.start('secondary'));
    expect(c.node.opBlockers).toEqual(['Block device is in use by internal backup job']);
    c.registry.removeNode('replication-secondary');
    expect(await run(c.env, () => outcome(c.node.stop(false)))).toBe('Backup job was cancelled unexpectedly');
    expect([c.node.stage, c.node.error, c.node.backupJob, c.node.opBlockers]).toEqual(['DONE', 'EIO', null, ['Block device is in use by internal backup job']]);
  });
});

describe('ReplicationNode (secondary, 7.2): a checkpoint re-arming a cluster whose copy is in flight', () => {
  it("the next write to it aborts the secondary with block-copy's assertion, reported through onCrash", async () => {
    const c = chain(QEMU_7_2, [{ kind: 'latency', node: 'hidden-disk', op: 'write', ticks: 20 }]);
    await run(c.env, () => c.node.start('secondary'));
    c.env.sched.spawn('A', () => c.colo.write(0, filled(512, 1)));
    c.env.sched.spawn('checkpoint', async () => {
      await c.env.sched.sleep('before the checkpoint', 5);
      await c.node.checkpoint().catch(() => undefined);
    });
    const b = c.env.sched.spawn('B', async () => {
      await c.env.sched.sleep('before B', 6);
      return outcome(c.colo.write(512, filled(512, 2)));
    });
    await c.env.sched.run();
    const assertion = "block_copy_task_create: Assertion `!reqlist_find_conflict(&s->reqs, offset, bytes)' failed (backup, cluster 0: dirtied by a checkpoint while its copy was in flight)";
    expect(b.result()).toBe(`crash: the secondary side crashed: ${assertion}`);
    expect(c.crashes.map((crash) => [crash.side, crash.message])).toEqual([['secondary', `the secondary side crashed: ${assertion}`]]);
  });
});

/** The secondary process dies inside a driver call (what no errno fault expresses). */
class CrashingFlushOverlay extends OverlayNode {
  protected override async doFlush(): Promise<void> {
    throw new SimulatedCrash('secondary', `${this.name} crashed in flush`);
  }
}

class CrashingMakeEmptyOverlay extends OverlayNode {
  override async makeEmpty(): Promise<void> {
    throw new SimulatedCrash('secondary', `${this.name} crashed in make_empty`);
  }
}

describe('ReplicationNode (secondary): a crash below is no I/O error', () => {
  it('a crash in a child flush ends the flush at once: the children after it are not flushed', async () => {
    const c = chain(QEMU_7_2, [], 0, 0, { Hidden: CrashingFlushOverlay });
    await run(c.env, async () => {
      await c.node.start('secondary');
      await c.vm.write(0, filled(CS, 0xa1));
    });
    const before = flushedNodes(c.env).length;
    expect(await run(c.env, () => outcome(c.vm.flush()))).toBe('crash: the secondary side crashed: hidden-disk crashed in flush');
    expect(flushedNodes(c.env).slice(before)).toEqual(['secondary-disk']);
  });

  it('a crash in make_empty at a checkpoint passes through, not as a make_empty failure', async () => {
    const c = chain(QEMU_7_2, [], 0, 0, { Active: CrashingMakeEmptyOverlay });
    expect(await run(c.env, () => outcome(c.node.start('secondary')))).toBe('crash: the secondary side crashed: active-disk crashed in make_empty');
  });
});

describe('ReplicationNode (secondary): FAILOVER_FAILED split writes carry the guest request id', () => {
  it("each run's write below is traced under the request", async () => {
    const c = chain(QEMU_7_2, [{ kind: 'job-fail', job: 'commit' }]);
    await run(c.env, async () => {
      await c.node.start('secondary');
      await c.vm.write(0, filled(CS, 0xa1));
      await c.node.stop(true);
      await c.node.waitCommit('test');
    });
    expect(c.node.stage).toBe('FAILOVER_FAILED');
    const before = c.env.trace.eventsOf('io').length;
    await run(c.env, () => c.vm.write(CS / 2, filled(CS, 0xc3), 7));
    const writes = c.env.trace
      .eventsOf('io')
      .slice(before)
      .filter((e) => e.fields.op === 'write')
      .map((e) => [e.fields.node, e.fields.offset, e.fields.bytes, e.fields.req]);
    expect(writes).toEqual([
      ['active-disk', CS / 2, CS / 2, 7],
      ['secondary-disk', CS, CS / 2, 7],
    ]);
  });
});
