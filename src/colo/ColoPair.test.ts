import { describe, expect, it } from 'vitest';
import { BlockError } from '../block/BlockError.js';
import { QemuError } from '../replication/QemuError.js';
import { type ProfileRules, QEMU_7_2, V24 } from '../replication/Profile.js';
import type { ReplicationOps } from '../replication/ReplicationFramework.js';
import { encodeRuns } from '../scenario/runs.js';
import type { TimingSpec } from '../scenario/Scenario.js';
import type { Fault } from '../sim/FaultPlan.js';
import { SimEnv } from '../sim/SimEnv.js';
import { SimulatedCrash } from '../sim/SimulatedCrash.js';
import { WaitQueue } from '../sim/WaitQueue.js';
import { ColoPair } from './ColoPair.js';
import type { Side } from './Side.js';
import { filled, run } from '../block/testing/simHelpers.js';

const CS = 65536;
const SIZE = 16 * CS;

const NOT_RUNNING = 'Block replication is not running';
const IO_ERROR = 'I/O error occurred';

function coloPair(options: { rules?: ProfileRules; timing?: Partial<TimingSpec>; faults?: readonly Fault[] } = {}) {
  const env = new SimEnv({ traceLevel: 'full', faults: options.faults ?? [] });
  const timing: TimingSpec = { diskLatencyTicks: 0, linkLatencyTicks: 0, commitChunkBytes: CS, commitPaceTicks: 0, ...options.timing };
  const pair = new ColoPair(env, { disks: 1, sizeBytes: SIZE, pattern: 0x11, rules: options.rules ?? QEMU_7_2, timing, chain: 'standard' });
  return { env, pair, p: pair.primary.disks[0]!, s: pair.secondary.disks[0]! };
}

/** "ok" or QEMU's message; a crash or a JS error fails the test. */
async function outcome(p: Promise<unknown>): Promise<string> {
  return p.then(
    () => 'ok',
    (e: unknown) => {
      if (e instanceof QemuError) return e.message;
      throw e;
    },
  );
}

async function startBoth(env: SimEnv, pair: ColoPair): Promise<void> {
  await run(env, async () => {
    await pair.secondary.xenSetReplication(true, false);
    await pair.primary.xenSetReplication(true, true);
  });
}

const commands = (env: SimEnv, side?: string) =>
  env.trace
    .eventsOf('command')
    .filter((e) => side === undefined || e.fields.side === side)
    .map((e) => `${e.fields.side}:${e.fields.command}:${e.fields.event}${e.fields.ok === false ? '(failed)' : ''}@${e.tick}`);

/** A fake node in a side's framework whose stop throws `error`. */
function failingStop(error: Error): ReplicationOps {
  return {
    name: 'fake',
    start: async () => undefined,
    checkpoint: async () => undefined,
    getError: async () => undefined,
    stop: async () => {
      throw error;
    },
  };
}

describe('Side: xen-set-replication', () => {
  it("rejects failover together with enable=true, whatever its value, before starting anything", async () => {
    const { env, pair, p, s } = coloPair();
    for (const side of [pair.secondary, pair.primary] as Side[]) {
      for (const failover of [true, false]) {
        expect(await run(env, () => outcome(side.xenSetReplication(true, side.name === 'primary', failover)))).toBe(
          "Parameter 'failover' is only for stopping replication",
        );
      }
    }
    expect([p.replication.stage, s.replication.stage]).toEqual(['NONE', 'NONE']);
  });

  it('enable starts every node of the side in the requested mode', async () => {
    const { env, pair, p, s } = coloPair();
    expect(await run(env, () => outcome(pair.primary.xenSetReplication(true, false)))).toBe("The parameter mode's value is invalid, needs 0, but got 1");
    await startBoth(env, pair);
    expect([p.replication.stage, s.replication.stage]).toEqual(['RUNNING', 'RUNNING']);
  });

  it('disable with failover=true discards the errors that failover=false returns', async () => {
    const { env, pair } = coloPair();
    expect(await run(env, () => outcome(pair.primary.xenSetReplication(false, true, false)))).toBe(NOT_RUNNING);
    expect(await run(env, () => outcome(pair.primary.xenSetReplication(false, true)))).toBe(NOT_RUNNING);
    expect(await run(env, () => outcome(pair.primary.xenSetReplication(false, true, true)))).toBe('ok');
    expect(await run(env, () => outcome(pair.secondary.xenSetReplication(false, false, true)))).toBe('ok');
  });

  it('disable with failover=true on a secondary in FAILOVER_FAILED succeeds; without failover it fails (§11)', async () => {
    const { env, pair, s } = coloPair({ faults: [{ kind: 'job-fail', job: 'commit' }] });
    await startBoth(env, pair);
    await run(env, async () => {
      await s.vm.write(0, filled(512, 0x41));
      await pair.secondary.xenSetReplication(false, false, true);
      await s.replication.waitCommit('test');
    });
    expect(s.replication.stage).toBe('FAILOVER_FAILED');
    expect(await run(env, () => outcome(pair.secondary.xenSetReplication(false, false, true)))).toBe('ok');
    expect(await run(env, () => outcome(pair.secondary.xenSetReplication(false, false, false)))).toBe(NOT_RUNNING);
  });

  it('with failover=true a QEMU error is dropped, and the framework still stopped at it (older nodes untouched)', async () => {
    const { env, pair, s } = coloPair();
    await startBoth(env, pair);
    pair.secondary.framework.register(failingStop(new QemuError('fake stop failed')));
    expect(await run(env, () => outcome(pair.secondary.xenSetReplication(false, false, true)))).toBe('ok');
    expect([s.replication.stage, pair.secondary.alive]).toEqual(['RUNNING', true]);
  });

  it('with failover=true a crash still propagates, and the side is crashed with every node closed', async () => {
    const { env, pair, s } = coloPair();
    await startBoth(env, pair);
    const crash = new SimulatedCrash('secondary', 'stop crashed');
    pair.secondary.framework.register(failingStop(crash));
    const error = await run(env, () => pair.secondary.xenSetReplication(false, false, true).then(() => null, (e: unknown) => e));
    expect(error).toBe(crash);
    expect([pair.secondary.state, pair.secondary.crash, s.replication.open, s.disk.open, s.active.open]).toEqual(['crashed', crash, false, false, false]);
    expect(commands(env, 'secondary').slice(-2)).toEqual(['secondary:stop:begin@0', 'secondary:stop:end(failed)@0']);
  });
});

describe('Side: query-xen-replication-status', () => {
  it('never fails for a QEMU error: it answers {error, desc}', async () => {
    const { env, pair, s } = coloPair({ timing: { commitPaceTicks: 100 } });
    const status = (side: Side) => run(env, () => side.queryXenReplicationStatus());
    expect(await status(pair.primary)).toEqual({ error: true, desc: NOT_RUNNING });
    expect(await status(pair.secondary)).toEqual({ error: true, desc: NOT_RUNNING });
    await startBoth(env, pair);
    expect(await status(pair.primary)).toEqual({ error: false });
    expect(await status(pair.secondary)).toEqual({ error: false });
    // After a successful failover the error of the backup job's cancel is cleared.
    await run(env, async () => {
      await s.vm.write(0, filled(512, 0x41));
      await pair.secondary.xenSetReplication(false, false, true);
    });
    expect(s.replication.stage).toBe('DONE');
    expect(await status(pair.secondary)).toEqual({ error: false });
  });

  it('reports a swallowed forwarded write on the primary as an I/O error', async () => {
    const { env, pair, p } = coloPair({ faults: [{ kind: 'io-error', node: 'secondary-disk', op: 'write', errno: 'ENOSPC', times: 1 }] });
    await startBoth(env, pair);
    await run(env, () => p.vm.write(0, filled(512, 0x21)));
    expect(await run(env, () => pair.primary.queryXenReplicationStatus())).toEqual({ error: true, desc: IO_ERROR });
    expect(p.replication.error).toBe('ENOSPC');
    // The local disk took the write: the guest saw success.
    expect(encodeRuns(p.local.peek(0, 512))).toEqual([[0x21, 512]]);
  });

  it('reports the secondary in FAILOVER as an I/O error while the commit runs', async () => {
    const { env, pair, s } = coloPair({ timing: { commitPaceTicks: 100 } });
    await startBoth(env, pair);
    const during = await run(env, async () => {
      await s.vm.write(0, filled(512, 0x41));
      await pair.secondary.xenSetReplication(false, false, true);
      return [s.replication.stage, await pair.secondary.queryXenReplicationStatus()];
    });
    expect(during).toEqual(['FAILOVER', { error: true, desc: IO_ERROR }]);
  });

  it('a crash while answering is not an answer: it propagates and the side is crashed', async () => {
    const { env, pair } = coloPair();
    const crash = new SimulatedCrash('primary', 'get_error crashed');
    pair.primary.framework.register({ ...failingStop(new QemuError('unused')), getError: () => Promise.reject(crash) });
    const error = await run(env, () => pair.primary.queryXenReplicationStatus().then(() => null, (e: unknown) => e));
    expect([error, pair.primary.state]).toEqual([crash, 'crashed']);
  });
});

describe('Side: QMP commands of one side never interleave', () => {
  it('a second and third command wait for the first to end; the other side is not held up', async () => {
    const { env, pair } = coloPair({ timing: { diskLatencyTicks: 5 } });
    await startBoth(env, pair);
    const t0 = env.now();
    const results: string[] = [];
    env.sched.spawn('checkpoint', async () => results.push(`checkpoint ${await outcome(pair.secondary.xenColoDoCheckpoint())}`));
    env.sched.spawn('status', async () => results.push(`status ${JSON.stringify(await pair.secondary.queryXenReplicationStatus())}`));
    env.sched.spawn('stop', async () => results.push(`stop ${await outcome(pair.secondary.xenSetReplication(false, false, false))}`));
    env.sched.spawn('primary status', async () => results.push(`primary ${JSON.stringify(await pair.primary.queryXenReplicationStatus())}`));
    await env.sched.run();
    const relative = commands(env)
      .slice(-8)
      .map((c) => c.replace(/@(\d+)$/, (_, tick: string) => `@${Number(tick) - t0}`));
    // The checkpoint empties active (5 ticks) then hidden (5 ticks); status runs after it; stop after that.
    expect(relative).toEqual([
      'secondary:checkpoint:begin@0',
      'primary:get_error:begin@0',
      'primary:get_error:end@0',
      'secondary:checkpoint:end@10',
      'secondary:get_error:begin@10',
      'secondary:get_error:end@10',
      'secondary:stop:begin@10',
      'secondary:stop:end(failed)@10',
    ]);
    expect(results).toEqual(['primary {"error":false}', 'checkpoint ok', 'status {"error":false}', 'stop Backup job was cancelled unexpectedly']);
  });
});

describe('Side: a QMP command that never ends', () => {
  it('holds the monitor: a deadlock report names the command waiting for it', async () => {
    const { env, pair } = coloPair();
    const never = new WaitQueue(env.sched, 'a job that never ends');
    pair.secondary.framework.register({ ...failingStop(new QemuError('unused')), checkpoint: () => never.wait('the fake checkpoint') });
    env.sched.spawn('checkpoint', () => pair.secondary.xenColoDoCheckpoint());
    env.sched.spawn('status', () => pair.secondary.queryXenReplicationStatus());
    await expect(env.sched.run()).rejects.toThrow(
      'deadlock at tick 0: 2 task(s) cannot finish (checkpoint, status); waiting: the fake checkpoint waits for a job that never ends; a QMP command on secondary waits for the secondary QMP monitor',
    );
  });
});

describe('ColoPair: failover', () => {
  it('primary lost: the colo1 export goes first, so a forwarded write still in flight fails (and is swallowed by the dead primary)', async () => {
    const { env, pair, p, s } = coloPair({ timing: { linkLatencyTicks: 10 } });
    await startBoth(env, pair);
    const t0 = env.now();
    const write = env.sched.spawn('primary VM write', () => outcome(p.vm.write(4 * CS, filled(512, 0x21))));
    env.sched.spawn('failover', async () => {
      await env.sched.sleep('heartbeat lost', 1);
      await pair.failover('primary');
    });
    await env.sched.run();
    expect(write.result()).toBe('ok');
    expect([pair.primary.state, pair.secondary.server.get('colo1')]).toEqual(['lost', undefined]);
    expect(pair.secondary.server.get('secondary-vm')).toBeDefined();
    // The request reached the secondary after the export was removed: nothing was applied there.
    expect(env.trace.events().filter((e) => e.kind === 'nbd-applied')).toEqual([]);
    expect(encodeRuns(s.disk.peek(4 * CS, 512))).toEqual([[0x11, 512]]);
    expect(p.replication.error).toBe('EIO');
    const io = env.trace.eventsOf('repl-io').find((e) => e.fields.node === 'replication-primary');
    expect([io?.fields.result, (io?.tick ?? -1) - t0]).toEqual(['swallowed', 10]);
    // The secondary took over: commit done, its node now sits on the secondary disk.
    expect([s.replication.stage, s.replication.file]).toEqual(['DONE', s.disk]);
  });

  it('primary lost: failover returns only once the commit has ended', async () => {
    const { env, pair, s } = coloPair({ timing: { commitPaceTicks: 100 } });
    await startBoth(env, pair);
    await run(env, () => s.vm.write(0, filled(CS, 0x41)));
    const t0 = env.now();
    const stageAfter = await run(env, async () => {
      await pair.failover('primary');
      return [s.replication.stage, env.now() - t0];
    });
    expect(stageAfter).toEqual(['DONE', 100]);
    expect(encodeRuns(s.disk.peek(0, CS))).toEqual([[0x41, CS]]);
  });

  it('secondary lost: the replication child leaves the quorum (after draining it), then the primary stops with failover', async () => {
    const { env, pair, p } = coloPair({ timing: { linkLatencyTicks: 10 } });
    await startBoth(env, pair);
    const t0 = env.now();
    const write = env.sched.spawn('primary VM write', () => outcome(p.vm.write(0, filled(512, 0x21))));
    env.sched.spawn('failover', async () => {
      await env.sched.sleep('heartbeat lost', 1);
      await pair.failover('secondary');
    });
    await env.sched.run();
    expect(write.result()).toBe('ok');
    // x-blockdev-change waited for the write in flight: the link failed it at tick 10 (peer gone).
    expect(commands(env, 'primary').slice(-4).map((c) => c.replace(/@(\d+)$/, (_, tick: string) => `@${Number(tick) - t0}`))).toEqual([
      'primary:x-blockdev-change:begin@1',
      'primary:x-blockdev-change:end@10',
      'primary:stop:begin@10',
      'primary:stop:end@10',
    ]);
    expect([pair.secondary.state, p.quorum.childCount, [...p.quorum.children.keys()], p.replication.stage, p.replication.error]).toEqual([
      'lost',
      1,
      ['children.0'],
      'DONE',
      null,
    ]);
    expect([...p.replication.parents].map((edge) => edge.parent.name)).toEqual(['replication-primary']);
    // Later VM writes reach the local disk only.
    const ioBefore = env.trace.events().filter((e) => e.kind === 'repl-io').length;
    expect(await run(env, () => outcome(p.vm.write(512, filled(512, 0x22))))).toBe('ok');
    expect(env.trace.events().filter((e) => e.kind === 'repl-io').length).toBe(ioBefore);
    expect(encodeRuns(p.local.peek(0, 1024))).toEqual([
      [0x21, 512],
      [0x22, 512],
    ]);
  });

  it("primary lost: the commit's start-up scan takes its ticks per allocated cluster before the copy", async () => {
    const { env, pair, s } = coloPair({ timing: { commitScanTicksPerCluster: 7 } });
    await startBoth(env, pair);
    await run(env, () => s.vm.write(0, filled(2 * CS, 0x41)));
    const t0 = env.now();
    const after = await run(env, async () => {
      await pair.failover('primary');
      return [s.replication.stage, env.now() - t0];
    });
    // Two allocated clusters, one run: 2 x 7 ticks of scan; the copy itself takes no time here.
    expect(after).toEqual(['DONE', 14]);
  });

  it('v24 too: the promoted secondary is DONE after failover', async () => {
    const { env, pair, s } = coloPair({ rules: V24 });
    await startBoth(env, pair);
    await run(env, () => pair.failover('primary'));
    expect([s.replication.stage, pair.primary.state, pair.secondary.alive]).toEqual(['DONE', 'lost', true]);
  });
});

describe('ColoPair: deleting a replication node', () => {
  it("secondary in RUNNING: refused with QEMU's busy message; after stop it goes", async () => {
    const { env, pair, s } = coloPair();
    await startBoth(env, pair);
    expect(await run(env, () => outcome(pair.deleteReplication('secondary')))).toBe("Node 'replication-secondary' is busy: Block device is in use by internal backup job");
    expect([s.replication.open, pair.secondary.server.get('secondary-vm') !== undefined]).toEqual([true, true]);
    await run(env, () => outcome(pair.secondary.xenSetReplication(false, false)));
    expect(await run(env, () => outcome(pair.deleteReplication('secondary')))).toBe('ok');
    expect([s.replication.open, pair.secondary.server.get('secondary-vm'), pair.secondary.registry.node('replication-secondary')]).toEqual([false, undefined, undefined]);
    expect(pair.secondary.framework.nodes).toEqual([]);
  });

  it('primary: leaves the quorum and the framework, even while RUNNING', async () => {
    const { env, pair, p } = coloPair();
    await startBoth(env, pair);
    expect(await run(env, () => outcome(pair.deleteReplication('primary', 0)))).toBe('ok');
    expect([p.quorum.childCount, p.replication.open, p.replication.stage, pair.primary.framework.nodes.length]).toEqual([1, false, 'DONE', 0]);
  });
});

describe('ColoPair: a guest request id travels with the request', () => {
  /** Every event that carries a request id, as [kind, node or job, req]. */
  const carried = (env: SimEnv, from: number) =>
    env.trace
      .events()
      .slice(from)
      .flatMap((e) => ('req' in e.fields && e.fields.req !== undefined ? [[e.kind, 'node' in e.fields ? e.fields.node : 'job' in e.fields ? e.fields.job : '', e.fields.req]] : []));

  it("a primary write's local and forwarded I/O, its copy-before-write and its quorum vote share its id", async () => {
    const { env, pair, p } = coloPair();
    await startBoth(env, pair);
    const from = env.trace.length;
    await run(env, () => p.vm.write(CS + 512, filled(512, 0x22), 7));
    expect(carried(env, from)).toEqual([
      ['io', 'primary-disk', 7],
      ['cow-begin', 'backup', 7],
      ['io', 'secondary-disk', 7],
      ['io', 'hidden-disk', 7],
      ['cow', 'backup', 7],
      ['io', 'secondary-disk', 7],
      ['nbd-applied', 'link', 7],
      ['repl-io', 'replication-primary', 7],
      ['quorum-write', 'quorum', 7],
    ]);
  });

  it("a secondary write's events through the replication node and active share its id", async () => {
    const { env, pair, s } = coloPair();
    await startBoth(env, pair);
    const from = env.trace.length;
    await run(env, () => s.vm.write(512, filled(512, 0x33), 9));
    // The first write into an unallocated cluster of active fills its head and tail from below
    // (hidden, which reads through to the secondary disk and traces after it) in one read of the
    // whole cluster, as qcow2 does for a write of at most 16 KiB with both ends to copy (D3).
    expect(carried(env, from)).toEqual([
      ['io', 'secondary-disk', 9],
      ['io', 'hidden-disk', 9],
      ['io', 'active-disk', 9],
      ['repl-io', 'replication-secondary', 9],
    ]);
  });

  it('two requests in flight together keep their own ids', async () => {
    const { env, pair, p, s } = coloPair({ timing: { diskLatencyTicks: 3, linkLatencyTicks: 2 } });
    await startBoth(env, pair);
    const from = env.trace.length;
    env.sched.spawn('primary write', () => p.vm.write(0, filled(CS, 0x44), 1));
    env.sched.spawn('secondary read', () => s.vm.read(4 * CS, 512, 2).then(() => undefined));
    await env.sched.run();
    const ids = (req: number) => carried(env, from).filter((e) => e[2] === req).map((e) => `${e[0]}:${e[1]}`);
    expect(ids(1)).toEqual(['cow-begin:backup', 'io:primary-disk', 'io:secondary-disk', 'io:hidden-disk', 'cow:backup', 'io:secondary-disk', 'nbd-applied:link', 'repl-io:replication-primary', 'quorum-write:quorum']);
    // The read falls through active and hidden to the secondary disk; each overlay traces after its backing.
    expect(ids(2)).toEqual(['io:secondary-disk', 'io:hidden-disk', 'io:active-disk', 'repl-io:replication-secondary']);
  });
});

describe('ColoPair: several disks', () => {
  function twoDisks(options: { timing?: Partial<TimingSpec> } = {}) {
    const env = new SimEnv({ traceLevel: 'full' });
    const timing: TimingSpec = { diskLatencyTicks: 0, linkLatencyTicks: 0, commitChunkBytes: CS, commitPaceTicks: 0, ...options.timing };
    const pair = new ColoPair(env, { disks: 2, sizeBytes: SIZE, pattern: 0x11, rules: QEMU_7_2, timing, chain: 'standard' });
    return { env, pair };
  }

  it('side() names each process', () => {
    const { pair } = twoDisks();
    expect([pair.side('primary'), pair.side('secondary')]).toEqual([pair.primary, pair.secondary]);
    expect([pair.side('primary').name, pair.side('secondary').name]).toEqual(['primary', 'secondary']);
  });

  it('primary lost: every colo1 export goes and failover waits for every commit', async () => {
    const { env, pair } = twoDisks({ timing: { commitPaceTicks: 50 } });
    await startBoth(env, pair);
    await run(env, async () => {
      await pair.secondary.disks[0]!.vm.write(0, filled(CS, 0x41));
      await pair.secondary.disks[1]!.vm.write(0, filled(CS, 0x42));
    });
    await run(env, () => pair.failover('primary'));
    const server = pair.secondary.server;
    expect([server.get('colo1'), server.get('colo1.1'), server.get('secondary-vm.1') !== undefined]).toEqual([undefined, undefined, true]);
    expect(pair.secondary.disks.map((d) => [d.replication.stage, encodeRuns(d.disk.peek(0, CS))])).toEqual([
      ['DONE', [[0x41, CS]]],
      ['DONE', [[0x42, CS]]],
    ]);
  });

  it('secondary lost: every quorum loses its replication child', async () => {
    const { env, pair } = twoDisks();
    await startBoth(env, pair);
    await run(env, () => pair.failover('secondary'));
    expect(pair.primary.disks.map((d) => [d.quorum.childCount, d.replication.stage])).toEqual([
      [1, 'DONE'],
      [1, 'DONE'],
    ]);
  });

  it('deleting every replication node goes in disk order and stops at the first failure', async () => {
    const { env, pair } = twoDisks();
    expect(await run(env, () => outcome(pair.deleteReplication('secondary', 0)))).toBe('ok');
    // Disk 0 is gone already: the walk fails there, before disk 1.
    expect(await run(env, () => outcome(pair.deleteReplication('secondary')))).toBe("Failed to find node with node-name='replication-secondary'");
    expect(pair.secondary.disks[1]!.replication.open).toBe(true);
    expect(await run(env, () => outcome(pair.deleteReplication('primary')))).toBe('ok');
    expect(pair.primary.disks.map((d) => d.replication.open)).toEqual([false, false]);
    expect(pair.secondary.disks[1]!.replication.open).toBe(true);
  });
});

describe('Side: errors of a stop with failover', () => {
  it('an I/O error (not a QEMU message) is dropped too', async () => {
    const { env, pair } = coloPair();
    await startBoth(env, pair);
    pair.primary.framework.register(failingStop(new BlockError('EIO', 'fake I/O failure')));
    expect(await run(env, () => outcome(pair.primary.xenSetReplication(false, true, true)))).toBe('ok');
    expect(pair.primary.alive).toBe(true);
  });

  it('an exception nothing models is never dropped, and does not end the process', async () => {
    const { env, pair } = coloPair();
    await startBoth(env, pair);
    const bug = new TypeError('a bug of ours');
    pair.primary.framework.register(failingStop(bug));
    const error = await run(env, () => pair.primary.xenSetReplication(false, true, true).then(() => null, (e: unknown) => e));
    expect([error, pair.primary.state]).toEqual([bug, 'alive']);
  });

  it('start and stop are traced as the commands they are', async () => {
    const { env, pair } = coloPair();
    await startBoth(env, pair);
    await run(env, () => outcome(pair.primary.xenSetReplication(false, true)));
    expect(commands(env).map((c) => c.replace(/@\d+$/, ''))).toEqual([
      'secondary:start:begin',
      'secondary:start:end',
      'primary:start:begin',
      'primary:start:end',
      'primary:stop:begin',
      'primary:stop:end',
    ]);
  });
});
