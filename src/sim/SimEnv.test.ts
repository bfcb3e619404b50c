import { describe, expect, it } from 'vitest';
import { ScheduleDriftError } from './ReplayPolicy.js';
import type { ReadyEntry } from './SchedulePolicy.js';
import { SimEnv } from './SimEnv.js';

/** Four tasks that each yield twice; returns the order of their steps. */
async function interleaving(env: SimEnv): Promise<string[]> {
  const log: string[] = [];
  for (const n of ['a', 'b', 'c', 'd']) {
    env.sched.spawn(n, async () => {
      for (let i = 0; i < 3; i++) {
        log.push(`${n}${i}`);
        await env.sched.yield(n);
      }
    });
  }
  await env.sched.run();
  return log;
}

const FIFO_ORDER = ['a0', 'b0', 'c0', 'd0', 'a1', 'b1', 'c1', 'd1', 'a2', 'b2', 'c2', 'd2'];

describe('SimEnv', () => {
  it('defaults to seed 0, FIFO, a hashing trace and no faults', async () => {
    const env = new SimEnv();
    expect([env.prng.seed, env.recording.name, env.trace.level, env.faults.isEmpty, env.now()]).toEqual([0, 'fifo', 'hash', true, 0]);
    expect(await interleaving(env)).toEqual(FIFO_ORDER);
    // FIFO decisions are recorded too (always index 0), so a FIFO run replays like any other.
    expect(env.recording.choices.every((c) => c === 0)).toBe(true);
    expect(env.recording.choices.length).toBeGreaterThan(0);
  });

  it('draws the random schedule from the seed\'s "schedule" stream, independent of other draws', async () => {
    const a = new SimEnv({ seed: 5, policy: 'random' });
    const b = new SimEnv({ seed: 5, policy: 'random' });
    // Draws elsewhere (the root stream, another derived stream) do not shift the schedule.
    b.prng.int(0, 100);
    b.prng.derive('faults').int(0, 100);
    const order = await interleaving(a);
    expect(await interleaving(b)).toEqual(order);
    expect(b.recording.choices).toEqual(a.recording.choices);
    expect(order).not.toEqual(FIFO_ORDER);
  });

  it('replays recorded choices, strictly unless told to be lenient', async () => {
    const recorded = new SimEnv({ seed: 5, policy: 'random' });
    const order = await interleaving(recorded);
    expect(await interleaving(new SimEnv({ policy: { replay: recorded.recording.choices } }))).toEqual(order);

    const strict = new SimEnv({ policy: { replay: [9] } });
    await expect(interleaving(strict)).rejects.toThrow(ScheduleDriftError);
    const lenient = new SimEnv({ policy: { replay: [9], lenient: true } });
    // 9 mod 4 ready entries = 1: b starts first, then FIFO.
    expect((await interleaving(lenient)).slice(0, 4)).toEqual(['b0', 'a0', 'c0', 'd0']);
    expect(lenient.recording.choices[0]).toBe(1);
  });

  it('uses a policy object as given', async () => {
    const lifo = { name: 'lifo', choosesAmongAll: false, choose: (ready: readonly ReadyEntry[]) => ready.length - 1 };
    const env = new SimEnv({ policy: lifo });
    expect(env.recording.name).toBe('lifo');
    expect((await interleaving(env)).slice(0, 4)).toEqual(['d0', 'd1', 'd2', 'c0']);
  });

  it('passes bounds and faults through', async () => {
    const env = new SimEnv({ maxSteps: 3, maxTicks: 10, faults: [{ kind: 'crash', point: 'p' }], traceLevel: 'off' });
    expect([env.sched.maxSteps, env.sched.maxTicks, env.faults.isEmpty, env.trace.enabled]).toEqual([3, 10, false, false]);
    await expect(interleaving(env)).rejects.toThrow('simulation exceeded 3 steps (at tick 0)');
  });

  it('numbers requests from 1, per run', () => {
    const env = new SimEnv();
    expect([env.requestId(), env.requestId(), new SimEnv().requestId()]).toEqual([1, 2, 1]);
  });
});
