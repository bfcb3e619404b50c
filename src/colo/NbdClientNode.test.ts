import { describe, expect, it } from 'vitest';
import { BlockBackend } from '../block/BlockBackend.js';
import { BlockError } from '../block/BlockError.js';
import { RawNode } from '../block/RawNode.js';
import { encodeRuns } from '../scenario/runs.js';
import type { Fault } from '../sim/FaultPlan.js';
import { SimEnv } from '../sim/SimEnv.js';
import { SimulatedCrash } from '../sim/SimulatedCrash.js';
import { NbdClientNode } from './NbdClientNode.js';
import { NbdServer } from './NbdServer.js';
import { filled, run } from '../block/testing/simHelpers.js';

const SIZE = 1 << 20;

/** Client "link" (10 ticks each way) to the export colo1 of a raw disk (0x11, 3 ticks per I/O) on a peer. */
function link(options: { faults?: readonly Fault[]; sizeBytes?: number; crashPoint?: (point: string) => void } = {}) {
  const env = new SimEnv({ traceLevel: 'full', faults: options.faults ?? [] });
  const disk = new RawNode(env, 'secondary', SIZE, { fill: 0x11 });
  disk.latencyTicks = 3;
  const server = new NbdServer();
  server.add('colo1', new BlockBackend('colo1', disk));
  const peer = { alive: true };
  const points: string[] = [];
  const client = new NbdClientNode(env, {
    name: 'link',
    connect: () => (peer.alive ? (server.get('colo1') ?? null) : null),
    peerAlive: () => peer.alive,
    sizeBytes: options.sizeBytes ?? SIZE,
    latencyTicks: 10,
    crashPoint: options.crashPoint ?? ((point) => points.push(point)),
  });
  return { env, disk, server, peer, client, points };
}

/** Run `fn` as a task; its outcome ("ok" or "<errno>: <message>") and the tick it ended at. */
async function timed(env: SimEnv, fn: () => Promise<unknown>): Promise<[string, number]> {
  const task = env.sched.spawn('test', async () => {
    const result = await fn().then(
      () => 'ok',
      (e: unknown) => (e instanceof BlockError ? `${e.errno}: ${e.message}` : `${(e as Error).constructor.name}: ${(e as Error).message}`),
    );
    return [result, env.now()] as [string, number];
  });
  await env.sched.run();
  return task.result();
}

const applied = (env: SimEnv) => env.trace.events().filter((e) => e.kind === 'nbd-applied').map((e) => [e.fields.offset, e.fields.bytes, e.tick]);

describe('NbdClientNode: the simulated link', () => {
  it('takes the link latency each way around the server\'s own I/O', async () => {
    const { env, client, disk, points } = link();
    expect(await timed(env, () => client.write(4096, filled(512, 0x22)))).toEqual(['ok', 23]);
    // Applied on the server at 10 (sent) + 3 (disk), reply 10 ticks later.
    expect(applied(env)).toEqual([[4096, 512, 13]]);
    expect(encodeRuns(disk.peek(4096, 512))).toEqual([[0x22, 512]]);
    let data: Uint8Array = new Uint8Array(0);
    expect(await timed(env, async () => (data = await client.read(4096, 1024)))).toEqual(['ok', 46]);
    expect(encodeRuns(data)).toEqual([
      [0x22, 512],
      [0x11, 512],
    ]);
    // A flush goes over the link too and flushes the server's disk (NBD_CMD_FLUSH: 10 + 3 + 10 ticks).
    expect(await timed(env, () => client.flush())).toEqual(['ok', 69]);
    expect(points).toEqual(['primary:before-forward', 'primary:before-forward', 'primary:before-forward']);
    expect([client.length, client.isConnected, client.alignment]).toEqual([SIZE, true, 1]);
  });

  it('a crash at the crash point stops the request before it leaves', async () => {
    const { env, client, disk } = link({
      crashPoint: () => {
        throw new SimulatedCrash('primary', 'crash fault at primary:before-forward', true);
      },
    });
    expect(await timed(env, () => client.write(0, filled(512, 0x22)))).toEqual(['SimulatedCrash: the primary side crashed: crash fault at primary:before-forward', 0]);
    expect([applied(env), encodeRuns(disk.peek(0, 512))]).toEqual([[], [[0x11, 512]]]);
  });

  it('passes a server error through and keeps the connection', async () => {
    // The client believes the export is larger than it is: the server refuses past its end.
    const { env, client } = link({ sizeBytes: 2 * SIZE });
    expect(await timed(env, () => client.write(SIZE, filled(512, 0x22)))).toEqual(['EINVAL: operation past EOF; From: 1048576, Len: 512, Size: 1048576', 10]);
    expect(client.isConnected).toBe(true);
    expect(await timed(env, () => client.read(0, 512))).toEqual(['ok', 33]);
  });
});

describe('NbdClientNode: a lost connection', () => {
  it('a link-drop fault fails the request and every later one with EIO, before anything is sent', async () => {
    const { env, client, disk } = link({ faults: [{ kind: 'link-drop', link: 'link', fromTick: 30 }] });
    expect(await timed(env, () => client.write(0, filled(512, 0x22)))).toEqual(['ok', 23]);
    await timed(env, () => env.sched.sleep('wait', 7));
    expect(await timed(env, () => client.write(512, filled(512, 0x33)))).toEqual(['EIO: link: write on a broken connection', 30]);
    expect(await timed(env, () => client.read(0, 512))).toEqual(['EIO: link: read on a broken connection', 30]);
    expect(await timed(env, () => client.flush())).toEqual(['EIO: link: flush on a broken connection', 30]);
    expect(client.isConnected).toBe(false);
    expect(encodeRuns(disk.peek(0, 1024))).toEqual([
      [0x22, 512],
      [0x11, 512],
    ]);
    expect(applied(env)).toEqual([[0, 512, 13]]);
  });

  it('a request the server applied whose reply is lost still fails with EIO', async () => {
    // The link drops at tick 15: after the request left (0) and was applied (13), before the reply (23).
    const { env, client, disk } = link({ faults: [{ kind: 'link-drop', link: 'link', fromTick: 15 }] });
    expect(await timed(env, () => client.write(0, filled(512, 0x22)))).toEqual(['EIO: link: write on a broken connection', 23]);
    expect(applied(env)).toEqual([[0, 512, 13]]);
    expect(encodeRuns(disk.peek(0, 512))).toEqual([[0x22, 512]]);
    expect(client.isConnected).toBe(false);
  });

  it('a peer that dies while the request is out loses the reply', async () => {
    const { env, client, disk, peer } = link();
    env.sched.spawn('kill the peer', async () => {
      await env.sched.sleep('kill', 15);
      peer.alive = false;
    });
    expect(await timed(env, () => client.write(0, filled(512, 0x22)))).toEqual(['EIO: link: write on a broken connection', 23]);
    expect(encodeRuns(disk.peek(0, 512))).toEqual([[0x22, 512]]);
    // Even if the peer came back, this connection stays broken.
    peer.alive = true;
    expect(await timed(env, () => client.read(0, 512))).toEqual(['EIO: link: read on a broken connection', 23]);
  });

  it('an export that is gone when the request arrives fails it with EIO, and breaks the connection', async () => {
    const { env, client, server, disk } = link();
    env.sched.spawn('nbd-server-stop', async () => {
      await env.sched.sleep('remove', 5);
      server.remove('colo1');
    });
    expect(await timed(env, () => client.write(0, filled(512, 0x22)))).toEqual(['EIO: link: the export is gone', 10]);
    expect([client.isConnected, applied(env), encodeRuns(disk.peek(0, 512))]).toEqual([false, [], [[0x11, 512]]]);
  });

  it('disconnect() fails every later request at once', async () => {
    const { env, client } = link();
    client.disconnect();
    expect(await timed(env, () => client.write(0, filled(512, 0x22)))).toEqual(['EIO: link: write on a broken connection', 0]);
  });

  it('link-drop afterOps 0 drops the link before the first request leaves', async () => {
    const { env, client } = link({ faults: [{ kind: 'link-drop', link: 'link', afterOps: 0 }] });
    expect(await timed(env, () => client.write(0, filled(512, 0x22)))).toEqual(['EIO: link: write on a broken connection', 0]);
    expect(applied(env)).toEqual([]);
  });

  /*
   * FaultPlan.ts documents LinkDropFault.afterOps as "Drop after this many requests went through"
   * (models/paths/pairScenarios.ts emits afterOps = the number of primary writes sent before
   * LINK_DOWN). roundTrip checks the link twice per request, before sending and after the reply;
   * both checks count as one request (the `request` set), so with afterOps 1 the first request
   * goes through and the second fails.
   */
  it('link-drop afterOps 1: the first request goes through, the second fails', async () => {
    const { env, client } = link({ faults: [{ kind: 'link-drop', link: 'link', afterOps: 1 }] });
    expect(await timed(env, () => client.write(0, filled(512, 0x22)))).toEqual(['ok', 23]);
    expect(await timed(env, () => client.write(512, filled(512, 0x22)))).toEqual(['EIO: link: write on a broken connection', 23]);
  });
});

describe('NbdClientNode: a server error and a dying peer', () => {
  /** A client to a disk whose writes fail with ENOSPC after 3 ticks of I/O; the peer dies at `killAt` if given. */
  function failingPeer(killAt?: number) {
    const env = new SimEnv({ traceLevel: 'full' });
    class SlowFailing extends RawNode {
      protected override async doWrite(): Promise<void> {
        await env.sched.sleep('failing write', 3);
        throw new BlockError('ENOSPC', 'disk full');
      }
    }
    const server = new NbdServer();
    server.add('colo1', new BlockBackend('colo1', new SlowFailing(env, 'secondary', SIZE)));
    const peer = { alive: true };
    const client = new NbdClientNode(env, {
      name: 'link',
      connect: () => (peer.alive ? (server.get('colo1') ?? null) : null),
      peerAlive: () => peer.alive,
      sizeBytes: SIZE,
      latencyTicks: 10,
      crashPoint: () => undefined,
    });
    if (killAt !== undefined) {
      env.sched.spawn('kill the peer', async () => {
        await env.sched.sleep('kill', killAt);
        peer.alive = false;
      });
    }
    return { env, client };
  }

  it("a peer that dies while its failing request is out resets the connection: EIO, not the server's error", async () => {
    const { env, client } = failingPeer(11);
    expect(await timed(env, () => client.write(0, filled(512, 0x22)))).toEqual(['EIO: link: write on a broken connection', 13]);
    expect(client.isConnected).toBe(false);
  });

  it("with the peer alive the server's error comes back, and the connection stays", async () => {
    const { env, client } = failingPeer();
    expect(await timed(env, () => client.write(0, filled(512, 0x22)))).toEqual(['ENOSPC: disk full', 13]);
    expect(client.isConnected).toBe(true);
  });

  it('a connection already broken does not consume a link-drop fault', async () => {
    const { env, client } = link({ faults: [{ kind: 'link-drop', link: 'link', afterOps: 0 }] });
    client.disconnect();
    expect(await timed(env, () => client.read(0, 512))).toEqual(['EIO: link: read on a broken connection', 0]);
    expect(env.faults.firedPerFault()).toEqual([0]);
  });

  it('reads and flushes leave no nbd-applied record; only writes do', async () => {
    const { env, client } = link();
    await timed(env, () => client.read(0, 512));
    await timed(env, () => client.flush());
    expect(applied(env)).toEqual([]);
  });
});

describe('NbdClientNode: what a stuck simulation reports', () => {
  it('names the link and the direction a request is travelling', async () => {
    const { env, client } = link();
    env.sched.spawn('write', () => client.write(0, filled(512, 0x22)).then(() => undefined));
    await expect(env.sched.run({ deadlineTick: 5 })).rejects.toThrow('work still pending at tick 0 needs time past the deadline 5 (next timer: link:link:send at 10)');
    await expect(env.sched.run({ deadlineTick: 15 })).rejects.toThrow('work still pending at tick 13 needs time past the deadline 15 (next timer: link:link:reply at 23)');
  });

  it('is the nbd driver, which cannot be emptied', async () => {
    const { env, client } = link();
    const error = await run(env, () => client.makeEmpty().then(() => null, (e: unknown) => e));
    expect([(error as BlockError).errno, (error as BlockError).message]).toEqual(['ENOTSUP', 'nbd does not support emptying nodes']);
  });
});
