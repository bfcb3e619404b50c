import { describe, expect, it } from 'vitest';
import { SimEnv } from '../sim/SimEnv.js';
import { QemuError } from './QemuError.js';
import { ReplicationFramework, type ReplicationOps } from './ReplicationFramework.js';
import type { ReplicationMode } from './ReplicationStage.js';

type Op = 'start' | 'checkpoint' | 'get_error' | 'stop';

/** A fake ReplicationOps: records each call as "name:op(arg)", fails the ops listed in `failing`. */
class FakeOps implements ReplicationOps {
  constructor(
    readonly name: string,
    private readonly calls: string[],
    private readonly failing: readonly Op[] = [],
    private readonly env?: SimEnv,
  ) {}

  start(mode: ReplicationMode): Promise<void> {
    return this.call('start', mode);
  }
  checkpoint(): Promise<void> {
    return this.call('checkpoint', '');
  }
  getError(): Promise<void> {
    return this.call('get_error', '');
  }
  stop(failover: boolean): Promise<void> {
    return this.call('stop', String(failover));
  }

  private async call(op: Op, arg: string): Promise<void> {
    const label = `${this.name}:${op}(${arg})`;
    if (this.env) {
      // Take simulated time, so an overlapping call by the framework would show in the log.
      this.calls.push(`${label} begin@${this.env.now()}`);
      await this.env.sched.sleep(`${label}`, 10);
      this.calls.push(`${label} end@${this.env.now()}`);
    } else {
      this.calls.push(label);
    }
    if (this.failing.includes(op)) throw new QemuError(`${this.name} failed ${op}`);
  }
}

async function outcome(p: Promise<void>): Promise<string> {
  return p.then(
    () => 'ok',
    (e: unknown) => (e as Error).message,
  );
}

describe('ReplicationFramework (reference §4)', () => {
  it('visits nodes newest-registered first, passing each op its argument', async () => {
    const calls: string[] = [];
    const fw = new ReplicationFramework();
    for (const name of ['a', 'b', 'c']) fw.register(new FakeOps(name, calls));
    expect(fw.nodes.map((n) => n.name)).toEqual(['c', 'b', 'a']);
    await fw.startAll('secondary');
    await fw.checkpointAll();
    await fw.getErrorAll();
    await fw.stopAll(true);
    await fw.startAll('primary');
    await fw.stopAll(false);
    expect(calls).toEqual([
      'c:start(secondary)',
      'b:start(secondary)',
      'a:start(secondary)',
      'c:checkpoint()',
      'b:checkpoint()',
      'a:checkpoint()',
      'c:get_error()',
      'b:get_error()',
      'a:get_error()',
      'c:stop(true)',
      'b:stop(true)',
      'a:stop(true)',
      'c:start(primary)',
      'b:start(primary)',
      'a:start(primary)',
      'c:stop(false)',
      'b:stop(false)',
      'a:stop(false)',
    ]);
  });

  it('stops at the first error, propagates it unchanged, and rolls nothing back', async () => {
    const calls: string[] = [];
    const fw = new ReplicationFramework();
    fw.register(new FakeOps('a', calls));
    fw.register(new FakeOps('b', calls, ['start', 'checkpoint', 'get_error', 'stop']));
    fw.register(new FakeOps('c', calls));
    // Newest first: c succeeds, b fails, a is never called; c is not stopped again (no rollback).
    expect(await outcome(fw.startAll('secondary'))).toBe('b failed start');
    expect(await outcome(fw.checkpointAll())).toBe('b failed checkpoint');
    expect(await outcome(fw.getErrorAll())).toBe('b failed get_error');
    expect(await outcome(fw.stopAll(true))).toBe('b failed stop');
    expect(calls).toEqual([
      'c:start(secondary)',
      'b:start(secondary)',
      'c:checkpoint()',
      'b:checkpoint()',
      'c:get_error()',
      'b:get_error()',
      'c:stop(true)',
      'b:stop(true)',
    ]);
  });

  it('fails at the very first node when the newest one fails', async () => {
    const calls: string[] = [];
    const fw = new ReplicationFramework();
    fw.register(new FakeOps('old', calls));
    fw.register(new FakeOps('new', calls, ['start']));
    const error = await fw.startAll('primary').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(QemuError);
    expect((error as QemuError).message).toBe('new failed start');
    expect(calls).toEqual(['new:start(primary)']);
  });

  it('runs the nodes one after the other, never two at once', async () => {
    const env = new SimEnv();
    const calls: string[] = [];
    const fw = new ReplicationFramework();
    fw.register(new FakeOps('a', calls, [], env));
    fw.register(new FakeOps('b', calls, [], env));
    env.sched.spawn('stop_all', () => fw.stopAll(false));
    await env.sched.run();
    expect(calls).toEqual(['b:stop(false) begin@0', 'b:stop(false) end@10', 'a:stop(false) begin@10', 'a:stop(false) end@20']);
  });

  it('unregister removes exactly that node and keeps the others in order', async () => {
    const calls: string[] = [];
    const fw = new ReplicationFramework();
    const [a, b, c] = ['a', 'b', 'c'].map((name) => new FakeOps(name, calls));
    for (const node of [a!, b!, c!]) fw.register(node);
    fw.unregister(b!);
    expect(fw.nodes).toEqual([c, a]);
    // Unregistering a node that is not (or no longer) there changes nothing.
    fw.unregister(b!);
    fw.unregister(new FakeOps('stranger', calls));
    expect(fw.nodes).toEqual([c, a]);
    await fw.checkpointAll();
    expect(calls).toEqual(['c:checkpoint()', 'a:checkpoint()']);
    fw.unregister(c!);
    fw.unregister(a!);
    expect(fw.nodes).toEqual([]);
    // With nothing registered every *_all succeeds.
    expect(await outcome(fw.getErrorAll())).toBe('ok');
  });

  it('a node registered again after unregistering goes back to the head', () => {
    const calls: string[] = [];
    const fw = new ReplicationFramework();
    const a = new FakeOps('a', calls);
    const b = new FakeOps('b', calls);
    fw.register(a);
    fw.register(b);
    fw.unregister(a);
    fw.register(a);
    expect(fw.nodes).toEqual([a, b]);
  });
});
