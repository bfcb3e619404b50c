/*
 * How a process of the pair ends: a crash fault at one of the named crash points (crashPoints.ts)
 * crashes the side that reaches it, closes its nodes and is what the guest request or QMP command
 * that reached it fails with; a crash point reached in a dead process is a crash too; a dead side
 * stays as it died; a survivor that crashes while taking over makes the failover fail.
 */
import { describe, expect, it } from 'vitest';
import { type ProfileRules, QEMU_7_2, V24 } from '../replication/Profile.js';
import { encodeRuns } from '../scenario/runs.js';
import type { TimingSpec } from '../scenario/Scenario.js';
import type { Fault } from '../sim/FaultPlan.js';
import { SimEnv } from '../sim/SimEnv.js';
import { SimulatedCrash } from '../sim/SimulatedCrash.js';
import { ColoPair } from './ColoPair.js';
import { filled, run } from '../block/testing/simHelpers.js';

const CS = 65536;
const SIZE = 16 * CS;

function coloPair(options: { rules?: ProfileRules; timing?: Partial<TimingSpec>; faults?: readonly Fault[] } = {}) {
  const env = new SimEnv({ traceLevel: 'full', faults: options.faults ?? [] });
  const timing: TimingSpec = { diskLatencyTicks: 0, linkLatencyTicks: 0, commitChunkBytes: CS, commitPaceTicks: 0, ...options.timing };
  const pair = new ColoPair(env, { disks: 1, sizeBytes: SIZE, pattern: 0x11, rules: options.rules ?? QEMU_7_2, timing, chain: 'standard' });
  return { env, pair, p: pair.primary.disks[0]!, s: pair.secondary.disks[0]! };
}

async function startBoth(env: SimEnv, pair: ColoPair): Promise<void> {
  await run(env, async () => {
    await pair.secondary.xenSetReplication(true, false);
    await pair.primary.xenSetReplication(true, true);
  });
}

/** What `p` settled with: "ok", or the error's class and message. */
async function settled(env: SimEnv, p: () => Promise<unknown>): Promise<string> {
  return run(env, () =>
    p().then(
      () => 'ok',
      (e: unknown) => `${(e as Error).constructor.name}: ${(e as Error).message}`,
    ),
  );
}

const sideEvents = (env: SimEnv) => env.trace.eventsOf('side').map((e) => e.fields);

describe('a crash fault at a crash point', () => {
  it('primary:before-forward crashes the primary before the forwarded write leaves: the guest write fails with the crash', async () => {
    const { env, pair, p, s } = coloPair({ faults: [{ kind: 'crash', point: 'primary:before-forward' }] });
    await startBoth(env, pair);
    // The local write ends in a process already dead: the guest request fails with a crash either way.
    expect(await settled(env, () => p.vm.write(0, filled(512, 0x21)))).toMatch(/^SimulatedCrash: the primary side crashed: /);
    expect([pair.primary.state, pair.primary.crash?.reason, pair.primary.crash?.injected, pair.secondary.state]).toEqual([
      'crashed',
      'crash fault at primary:before-forward',
      true,
      'alive',
    ]);
    expect(sideEvents(env)).toEqual([{ side: 'primary', event: 'crashed', reason: 'crash fault at primary:before-forward', injected: true }]);
    // Nothing reached the secondary; the primary's nodes are all closed.
    expect(encodeRuns(s.disk.peek(0, 512))).toEqual([[0x11, 512]]);
    expect([p.local.open, p.link.open, p.replication.open, p.quorum.open]).toEqual([false, false, false, false]);
  });

  it('primary:after-local-write crashes the primary once the local disk has the write', async () => {
    const { env, pair, p } = coloPair({ faults: [{ kind: 'crash', point: 'primary:after-local-write' }] });
    await startBoth(env, pair);
    expect(await settled(env, () => p.vm.write(0, filled(512, 0x21)))).toBe('SimulatedCrash: the primary side crashed: crash fault at primary:after-local-write');
    const writes = env.trace.eventsOf('io').filter((e) => e.fields.op === 'write' && e.fields.node === 'primary-disk');
    expect(writes.map((e) => [e.fields.offset, e.fields.bytes])).toEqual([[0, 512]]);
    expect([pair.primary.state, pair.primary.crash?.reason, p.local.open]).toEqual(['crashed', 'crash fault at primary:after-local-write', false]);
  });

  it('secondary:between-make-empty crashes the secondary inside xen-colo-do-checkpoint, which fails with it', async () => {
    const { env, pair, s } = coloPair({ faults: [{ kind: 'crash', point: 'secondary:between-make-empty', afterHits: 1 }] });
    // The start's own checkpoint is the first hit; the QMP checkpoint the second.
    await startBoth(env, pair);
    expect(pair.secondary.state).toBe('alive');
    expect(await settled(env, () => pair.secondary.xenColoDoCheckpoint())).toBe('SimulatedCrash: the secondary side crashed: crash fault at secondary:between-make-empty');
    expect([pair.secondary.state, s.replication.open, s.active.open, pair.primary.state]).toEqual(['crashed', false, false, 'alive']);
    expect(env.trace.eventsOf('command').slice(-2).map((e) => [e.fields.side, e.fields.command, e.fields.event, e.fields.ok])).toEqual([
      ['secondary', 'checkpoint', 'begin', undefined],
      ['secondary', 'checkpoint', 'end', false],
    ]);
  });
});

describe('a dead process', () => {
  it('reaching a crash point in a dead process is a crash of that process, and changes nothing else', async () => {
    const { env, pair } = coloPair();
    await startBoth(env, pair);
    await run(env, () => pair.failover('primary'));
    let thrown: unknown = null;
    try {
      pair.primary.crashPoint('primary:before-forward');
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(SimulatedCrash);
    expect([(thrown as SimulatedCrash).message, (thrown as SimulatedCrash).injected]).toEqual([
      'the primary side crashed: primary:before-forward reached in a dead process',
      true,
    ]);
    expect([pair.primary.state, pair.primary.crash]).toEqual(['lost', null]);
  });

  it('a crash point in a live process without a crash fault does nothing', () => {
    const { pair } = coloPair({ faults: [{ kind: 'crash', point: 'primary:after-local-write' }] });
    pair.primary.crashPoint('primary:before-forward');
    expect([pair.primary.state, pair.primary.crash]).toEqual(['alive', null]);
  });

  it('dies once: a lost side that is later crashed stays lost, with one side event', async () => {
    const { env, pair } = coloPair();
    pair.primary.die('lost');
    pair.primary.die('crashed', new SimulatedCrash('primary', 'too late'));
    expect([pair.primary.state, pair.primary.crash, pair.primary.alive]).toEqual(['lost', null, false]);
    expect(sideEvents(env)).toEqual([{ side: 'primary', event: 'lost', reason: undefined, injected: undefined }]);
  });
});

describe('a survivor that crashes while taking over', () => {
  it('secondary:during-commit: the failover fails with the crash and the secondary is crashed', async () => {
    const { env, pair, s } = coloPair({ faults: [{ kind: 'crash', point: 'secondary:during-commit' }] });
    await startBoth(env, pair);
    await run(env, () => s.vm.write(0, filled(CS, 0x41)));
    expect(await settled(env, () => pair.failover('primary'))).toBe('SimulatedCrash: the secondary side crashed: crash fault at secondary:during-commit');
    expect([pair.primary.state, pair.secondary.state, pair.secondary.crash?.reason]).toEqual(['lost', 'crashed', 'crash fault at secondary:during-commit']);
  });

  it('v24: a replication node deleted while its commit runs crashes the secondary when the commit ends', async () => {
    const { env, pair, s } = coloPair({ rules: V24, timing: { commitPaceTicks: 100 } });
    await startBoth(env, pair);
    await run(env, () => s.vm.write(0, filled(CS, 0x41)));
    const result = await run(env, async () => {
      await pair.secondary.xenSetReplication(false, false, true);
      const stage = s.replication.stage;
      await pair.deleteReplication('secondary');
      return [stage, pair.secondary.state];
    });
    // blockdev-del succeeded in FAILOVER, with the secondary still alive; the commit ended later.
    expect(result).toEqual(['FAILOVER', 'alive']);
    expect([pair.secondary.state, pair.secondary.crash?.reason, pair.secondary.crash?.injected]).toEqual([
      'crashed',
      'replication-secondary: commit completion callback ran on a closed replication node',
      false,
    ]);
  });
});
