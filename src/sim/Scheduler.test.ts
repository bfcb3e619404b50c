import { describe, expect, it } from 'vitest';
import { Prng } from './Prng.js';
import { RandomPolicy } from './RandomPolicy.js';
import { RecordingPolicy } from './RecordingPolicy.js';
import { ReplayPolicy, ScheduleDriftError } from './ReplayPolicy.js';
import type { ReadyEntry, SchedulePolicy } from './SchedulePolicy.js';
import { DeadlockError, Scheduler, SimBoundError } from './Scheduler.js';
import { WaitQueue } from './WaitQueue.js';

/** Three tasks that log, yield, log, yield, log: the shape every interleaving test uses. */
function spawnYielders(sched: Scheduler, names: readonly string[], log: string[]): void {
  for (const n of names) {
    sched.spawn(n, async () => {
      log.push(`${n}1`);
      await sched.yield(`${n}:y1`);
      log.push(`${n}2`);
      await sched.yield(`${n}:y2`);
      log.push(`${n}3`);
    });
  }
}

/** A policy that records what it was offered and answers FIFO. */
class SpyPolicy implements SchedulePolicy {
  readonly name = 'spy';
  readonly choosesAmongAll = false;
  readonly offered: string[][] = [];
  choose(ready: readonly ReadyEntry[]): number {
    this.offered.push(ready.map((e) => e.label));
    return 0;
  }
}

describe('Scheduler: FIFO', () => {
  it('runs ready tasks in the order they became ready', async () => {
    const sched = new Scheduler();
    const log: string[] = [];
    spawnYielders(sched, ['a', 'b', 'c'], log);
    const stats = await sched.run();
    expect(log).toEqual(['a1', 'b1', 'c1', 'a2', 'b2', 'c2', 'a3', 'b3', 'c3']);
    expect(stats).toEqual({ steps: 9, ticks: 0 });
    expect(sched.liveTasks()).toEqual([]);
  });

  it('asks the policy only when two or more entries are ready, offering them in sequence order', async () => {
    const spy = new SpyPolicy();
    const sched = new Scheduler({ policy: spy });
    spawnYielders(sched, ['a', 'b'], []);
    await sched.run();
    expect(spy.offered).toEqual([
      ['start:a', 'start:b'],
      ['start:b', 'a:y1'],
      ['a:y1', 'b:y1'],
      ['b:y1', 'a:y2'],
      ['a:y2', 'b:y2'],
    ]);
  });

  it('delivers a task value, or rethrows its error', async () => {
    const sched = new Scheduler();
    const ok = sched.spawn('ok', async () => 42);
    const bad = sched.spawn('bad', async () => {
      throw new Error('boom');
    });
    expect(() => ok.result()).toThrow('task ok has not finished');
    await sched.run();
    expect(ok.done).toBe(true);
    expect(ok.result()).toBe(42);
    expect(bad.outcome?.ok).toBe(false);
    expect(() => bad.result()).toThrow('boom');
  });

  it('lists every failed task, daemons included, in the order they ended, until taken', async () => {
    const sched = new Scheduler();
    const late = sched.spawn('late', async () => {
      await sched.sleep('late:wait', 5);
      throw new TypeError('late broke');
    });
    const daemon = sched.spawn(
      'daemon',
      async () => {
        await sched.yield('daemon:y');
        throw new RangeError('daemon broke');
      },
      { daemon: true },
    );
    sched.spawn('fine', async () => 1);
    // A body that throws before its first await fails its task; it does not escape the scheduler.
    const sync = sched.spawn('sync', (() => {
      throw new Error('sync broke');
    }) as () => Promise<never>);
    expect(sched.takeFailedTasks()).toEqual([]);
    await sched.run();
    expect(sched.takeFailedTasks().map((t) => [t.label, (t.outcome!.error as Error).message])).toEqual([
      ['sync', 'sync broke'],
      ['daemon', 'daemon broke'],
      ['late', 'late broke'],
    ]);
    expect(sched.takeFailedTasks()).toEqual([]);
    expect([late.done, daemon.done, sync.done]).toEqual([true, true, true]);
  });

  it('refuses a nested run', async () => {
    const sched = new Scheduler();
    let nested: unknown;
    sched.spawn('t', async () => {
      nested = await sched.run().catch((e: unknown) => e);
    });
    await sched.run();
    expect((nested as Error).message).toBe('Scheduler.run is not reentrant');
  });
});

describe('Scheduler: time', () => {
  it('fires timers in (deadline, seq) order and moves the clock exactly to each deadline', async () => {
    const sched = new Scheduler();
    const fired: string[] = [];
    const sleeper = (label: string, ticks: number) =>
      sched.spawn(label, async () => {
        await sched.sleep(label, ticks);
        fired.push(`${label}@${sched.now()}`);
      });
    sleeper('late', 30);
    sleeper('first-10', 10);
    sleeper('mid', 20);
    sleeper('second-10', 10);
    const stats = await sched.run();
    expect(fired).toEqual(['first-10@10', 'second-10@10', 'mid@20', 'late@30']);
    expect(stats.ticks).toBe(30);
    expect(sched.now()).toBe(30);
  });

  it('treats sleep(0) as a yield: no time passes and other ready work runs first', async () => {
    const sched = new Scheduler();
    const log: string[] = [];
    sched.spawn('s', async () => {
      await sched.sleep('s0', 0);
      log.push(`s@${sched.now()}`);
    });
    sched.spawn('t', async () => {
      log.push(`t@${sched.now()}`);
    });
    await sched.run();
    expect(log).toEqual(['t@0', 's@0']);
  });

  it('lets daemon timers fire while live work moves time, but never keeps a run going', async () => {
    const sched = new Scheduler();
    const ticks: number[] = [];
    sched.spawn(
      'heartbeat',
      async () => {
        for (;;) {
          await sched.sleep('beat', 100, { daemon: true });
          ticks.push(sched.now());
        }
      },
      { daemon: true },
    );
    sched.spawn('work', async () => {
      await sched.sleep('work', 250);
      ticks.push(-sched.now());
    });
    await sched.run();
    expect(ticks).toEqual([100, 200, -250]);
    expect(sched.now()).toBe(250);
    // Nothing live is left: the next beat (at 300) does not fire by itself.
    await sched.run();
    expect(ticks).toEqual([100, 200, -250]);
    expect(sched.now()).toBe(250);
    expect(sched.liveTasks()).toEqual([]);
  });

  it('run({untilTick}) fires daemon timers up to that tick and ends with the clock there', async () => {
    const sched = new Scheduler();
    const ticks: number[] = [];
    sched.spawn(
      'heartbeat',
      async () => {
        for (;;) {
          await sched.sleep('beat', 300, { daemon: true });
          ticks.push(sched.now());
        }
      },
      { daemon: true },
    );
    const stats = await sched.run({ untilTick: 900 });
    expect(ticks).toEqual([300, 600, 900]);
    expect(sched.now()).toBe(900);
    expect(stats.ticks).toBe(900);
    await sched.run({ untilTick: 1000 });
    expect(ticks).toEqual([300, 600, 900]);
    expect(sched.now()).toBe(1000);
  });

  it('run({untilTick}) still finishes live work that lies beyond that tick', async () => {
    const sched = new Scheduler();
    sched.spawn('long', () => sched.sleep('long', 500));
    await sched.run({ untilTick: 100 });
    expect(sched.now()).toBe(500);
  });

  it('a daemon timer armed with a negative delay fires now instead of moving time backwards', async () => {
    const sched = new Scheduler();
    const fired: number[] = [];
    sched.spawn('t', async () => {
      await sched.sleep('wait', 10);
      void sched.sleep('past', -5, { daemon: true }).then(() => fired.push(sched.now()));
      await sched.sleep('wait', 10);
    });
    await sched.run();
    expect(fired).toEqual([10]);
    expect(sched.now()).toBe(20);
  });
});

describe('Scheduler: deadlock and bounds', () => {
  it('reports a deadlock naming the stuck tasks and what each waits on', async () => {
    const sched = new Scheduler();
    const disk = new WaitQueue(sched, 'hidden:write[0,+512]');
    const job = new WaitQueue(sched, 'backup job to pause');
    sched.spawn('svm-write', () => disk.wait('svm-write'));
    sched.spawn('stop', () => job.wait('stop'));
    const error = await sched.run().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DeadlockError);
    expect((error as DeadlockError).code).toBe('DEADLOCK');
    expect((error as DeadlockError).message).toBe(
      'deadlock at tick 0: 2 task(s) cannot finish (svm-write, stop); waiting: svm-write waits for hidden:write[0,+512]; stop waits for backup job to pause',
    );
    expect((error as DeadlockError).waiting).toEqual(['svm-write waits for hidden:write[0,+512]', 'stop waits for backup job to pause']);
  });

  it('reports a task waiting on something outside the scheduler', async () => {
    const sched = new Scheduler();
    sched.spawn('lost', () => new Promise<void>(() => {}));
    await sched.run({ untilTick: 7 }).then(
      () => expect.unreachable(),
      (e: unknown) => expect((e as Error).message).toBe('deadlock at tick 7: 1 task(s) cannot finish (lost); nothing they wait on can be woken'),
    );
  });

  it('does not count daemon tasks as stuck', async () => {
    const sched = new Scheduler();
    const q = new WaitQueue(sched, 'work');
    sched.spawn('worker', () => q.wait('worker'), { daemon: true });
    await expect(sched.run()).resolves.toEqual({ steps: 1, ticks: 0 });
    expect(q.size).toBe(1);
  });

  it('wakes waiters in the order they waited, through the scheduler', async () => {
    const spy = new SpyPolicy();
    const sched = new Scheduler({ policy: spy });
    const q = new WaitQueue(sched, 'q');
    const log: string[] = [];
    for (const n of ['a', 'b']) {
      sched.spawn(n, async () => {
        await q.wait(n);
        log.push(n);
      });
    }
    sched.spawn('waker', async () => {
      expect(q.size).toBe(2);
      q.wakeAll();
      expect(q.size).toBe(0);
    });
    await sched.run();
    expect(log).toEqual(['a', 'b']);
    expect(spy.offered.at(-1)).toEqual(['wake:a', 'wake:b']);
  });

  it('stops a run that exceeds its step bound', async () => {
    const sched = new Scheduler({ maxSteps: 10 });
    sched.spawn('spin', async () => {
      for (;;) await sched.yield('spin');
    });
    const error = await sched.run().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SimBoundError);
    expect((error as SimBoundError).code).toBe('SIM_BOUND');
    expect((error as Error).message).toBe('simulation exceeded 10 steps (at tick 0)');
  });

  it('stops a run whose next timer lies past the tick bound', async () => {
    const sched = new Scheduler({ maxTicks: 1000 });
    sched.spawn('t', () => sched.sleep('too-late', 2000));
    await expect(sched.run()).rejects.toThrow(new SimBoundError('simulated time would pass the limit of 1000 ticks (next timer: too-late at 2000)'));
  });

  it('refuses to run until a tick past the tick bound', async () => {
    const sched = new Scheduler({ maxTicks: 1000 });
    await expect(sched.run({ untilTick: 1001 })).rejects.toThrow('simulated time would pass the limit of 1000 ticks (run until tick 1001)');
    expect(sched.now()).toBe(0);
    await sched.run({ untilTick: 1000 });
    expect(sched.now()).toBe(1000);
  });
});

describe('Scheduler: record and replay', () => {
  async function runRandom(seed: number, policy?: SchedulePolicy): Promise<{ log: string[]; choices: number[] }> {
    const recording = new RecordingPolicy(policy ?? new RandomPolicy(Prng.fromSeed(seed).derive('schedule')));
    const sched = new Scheduler({ policy: recording });
    const log: string[] = [];
    spawnYielders(sched, ['a', 'b', 'c', 'd'], log);
    sched.spawn('timer', async () => {
      await sched.sleep('t', 5);
      log.push(`t@${sched.now()}`);
    });
    await sched.run();
    return { log, choices: recording.choices };
  }

  it('replays a recorded random run exactly', async () => {
    const recorded = await runRandom(3);
    expect(recorded.log).toHaveLength(13);
    // Seed 3 does interleave differently from FIFO, so the replay below has something to reproduce.
    expect(recorded.log).not.toEqual(['a1', 'b1', 'c1', 'd1', 'a2', 'b2', 'c2', 'd2', 'a3', 'b3', 'c3', 'd3', 't@5']);
    const replay = new ReplayPolicy(recorded.choices);
    const replayed = await runRandom(0, replay);
    expect(replayed.log).toEqual(recorded.log);
    expect(replayed.choices).toEqual(recorded.choices);
    expect(replay.decisions).toBe(recorded.choices.length);
  });

  it('falls back to FIFO past the end of the recorded choices', async () => {
    const fifo = await runRandom(0, new ReplayPolicy([]));
    expect(fifo.log).toEqual(['a1', 'b1', 'c1', 'd1', 'a2', 'b2', 'c2', 'd2', 'a3', 'b3', 'c3', 'd3', 't@5']);
  });

  it('fails with a precise message when the run drifts from the recording', async () => {
    const sched = new Scheduler({ policy: new ReplayPolicy([1, 5]) });
    spawnYielders(sched, ['a', 'b'], []);
    const error = await sched.run().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ScheduleDriftError);
    expect((error as ScheduleDriftError).code).toBe('SCHEDULE_DRIFT');
    expect((error as Error).message).toBe('schedule drift at decision 1: recorded choice 5 but only 2 entries are ready (start:a, b:y1)');
  });

  it('wraps an out-of-range choice when not strict', () => {
    const replay = new ReplayPolicy([5], false);
    expect(replay.choose([{ seq: 0, label: 'x' }, { seq: 1, label: 'y' }])).toBe(1);
  });

  it('rejects a policy answer outside the ready list', async () => {
    const sched = new Scheduler({ policy: { name: 'broken', choosesAmongAll: false, choose: () => 7 } });
    spawnYielders(sched, ['a', 'b'], []);
    await expect(sched.run()).rejects.toThrow('policy broken chose 7 of 2 ready entries');
  });
});

describe('Scheduler: the wait before a choice among all', () => {
  /** How many entries each choice was offered; answers the oldest, so the tasks take turns.  */
  class AmongAllSpy implements SchedulePolicy {
    readonly name = 'among-all-spy';
    readonly choosesAmongAll = true;
    readonly offered: number[] = [];
    choose(ready: readonly ReadyEntry[]): number {
      this.offered.push(ready.length);
      return 0;
    }
  }

  it('lets every woken continuation reach its next wait first, also past the waits that take a macrotask turn (1,000 steps)', async () => {
    const policy = new AmongAllSpy();
    const sched = new Scheduler({ policy });
    // Each task runs a chain of 30 microtasks between two waits; a choice made before the chain
    // ends would be offered one entry fewer.
    for (const name of ['a', 'b', 'c']) {
      sched.spawn(name, async () => {
        for (let i = 0; i < 500; i++) {
          for (let m = 0; m < 30; m++) await null;
          await sched.yield(`${name}:${i}`);
        }
      });
    }
    await sched.run();
    expect(policy.offered.length).toBeGreaterThan(1000);
    // Three tasks, each always waiting in a yield: every choice sees all three until the first ends.
    const beforeFirstEnd = policy.offered.slice(0, policy.offered.indexOf(2));
    expect(beforeFirstEnd.length).toBeGreaterThan(1400);
    expect(new Set(beforeFirstEnd)).toEqual(new Set([3]));
  });

  it('run from a tick callback still lets pending microtask chains end before its first choice', async () => {
    const policy = new AmongAllSpy();
    const sched = new Scheduler({ policy });
    sched.spawn('early', async () => undefined);
    // A tick queued there would run before the microtasks: the chain would end only after the choice.
    await new Promise<void>((resolve, reject) =>
      process.nextTick(() => {
        void (async () => {
          for (let m = 0; m < 30; m++) await null;
          sched.spawn('late', async () => undefined);
        })();
        sched.run().then(() => resolve(), reject);
      }),
    );
    expect(policy.offered).toEqual([2]);
  });

  it('lets the event loop turn during a long run (one wait in 256 takes a macrotask)', async () => {
    const sched = new Scheduler({ policy: new AmongAllSpy() });
    sched.spawn('long', async () => {
      for (let i = 0; i < 600; i++) await sched.yield(`long:${i}`);
    });
    let firedAt: number | undefined;
    setImmediate(() => (firedAt = sched.steps));
    await sched.run();
    expect(sched.steps).toBe(601);
    expect(firedAt).toBeLessThan(601);
  });
});
