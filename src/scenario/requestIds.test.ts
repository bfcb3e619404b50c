/*
 * Guest requests enter at the scenario runner: each read, write, write-zeroes, discard or flush step gets the next request id,
 * announced by a `request` event that names its step (and its place in a concurrent group), and
 * every event the request causes carries that id, so a checker maps events to steps by identity;
 * a `reply` event says when the guest got its answer.
 */
import { describe, expect, it } from 'vitest';
import { parseScenario } from './parseScenario.js';
import { runScenarioOnEngine } from './runScenarioOnEngine.js';

const SCENARIO = parseScenario({
  colosim: 1,
  name: 'request-ids',
  disk: { size: 1048576 },
  steps: [
    { do: 'start', side: 'both' },
    {
      do: 'concurrent',
      steps: [
        { do: 'write', vm: 'primary', offset: 0, length: 4096, pattern: 1 },
        { do: 'write', vm: 'primary', offset: 0, length: 4096, pattern: 2 },
        { do: 'read', vm: 'secondary', offset: 0, length: 512 },
      ],
    },
    { do: 'write', vm: 'secondary', offset: 65536, length: 512, pattern: 3 },
  ],
});

describe('request ids from the scenario runner', () => {
  it('names each guest request with its step and group member, and its quorum vote carries the same id', async () => {
    const { env } = await runScenarioOnEngine(SCENARIO, { traceLevel: 'full' });
    const requests = env.trace.eventsOf('request').map((e) => [e.fields.req, e.fields.step, e.fields.member, e.fields.op, e.fields.vm]);
    expect(requests).toEqual([
      [1, 1, 0, 'write', 'primary'],
      [2, 1, 1, 'write', 'primary'],
      [3, 1, 2, 'read', 'secondary'],
      [4, 2, undefined, 'write', 'secondary'],
    ]);
    // Two writes of the same range: only the id tells their votes apart.
    expect(env.trace.eventsOf('quorum-write').map((e) => e.fields.req).sort()).toEqual([1, 2]);
    expect(env.trace.eventsOf('repl-io').map((e) => [e.fields.node, e.fields.req]).sort()).toEqual([
      ['replication-primary', 1],
      ['replication-primary', 2],
      ['replication-secondary', 3],
      ['replication-secondary', 4],
    ]);
  });

  it('a flush and a discard get ids too, and a fault on the flush names it', async () => {
    const scenario = parseScenario({
      colosim: 1,
      name: 'flush-discard-ids',
      disk: { size: 1048576 },
      engine: { faults: [{ kind: 'io-error', node: 'primary-disk', op: 'flush', errno: 'EIO' }] },
      steps: [
        { do: 'start', side: 'both' },
        { do: 'write', vm: 'primary', offset: 0, length: 512, pattern: 1 },
        { do: 'flush', vm: 'primary' },
        { do: 'discard', vm: 'secondary', offset: 512, length: 1024 },
      ],
    });
    const { env, document } = await runScenarioOnEngine(scenario, { traceLevel: 'full' });
    const requests = env.trace.eventsOf('request').map((e) => [e.fields.req, e.fields.step, e.fields.op, e.fields.vm, e.fields.offset, e.fields.bytes]);
    expect(requests).toEqual([
      [1, 1, 'write', 'primary', 0, 512],
      [2, 2, 'flush', 'primary', 0, 0],
      [3, 3, 'discard', 'secondary', 512, 1024],
    ]);
    // The local disk's flush failed under request 2; the quorum's other child flushed, so the VM's flush succeeds.
    expect(env.trace.eventsOf('fault').map((e) => [e.fields.kind, 'node' in e.fields ? e.fields.node : '', 'req' in e.fields ? e.fields.req : undefined])).toEqual([['io-error', 'primary-disk', 2]]);
    expect(document.steps.map((s) => s.ok)).toEqual([true, true, true, true]);
  });

  it('a flush carries its id down both sides: through quorum, the replication node and NBD to the secondary disk, and every leaf it flushes names it', async () => {
    const scenario = parseScenario({
      colosim: 1,
      name: 'flush-chain-ids',
      disk: { size: 1048576 },
      steps: [
        { do: 'start', side: 'both' },
        { do: 'write', vm: 'primary', offset: 0, length: 512, pattern: 1 },
        { do: 'write', vm: 'secondary', offset: 65536, length: 512, pattern: 2 },
        { do: 'flush', vm: 'primary' },
        { do: 'flush', vm: 'secondary' },
        { do: 'discard', vm: 'primary', offset: 0, length: 65536 },
      ],
    });
    const { env } = await runScenarioOnEngine(scenario, { traceLevel: 'full' });
    const byRequest = (req: number) =>
      env.trace
        .events()
        .filter((e) => e.kind !== 'request' && (e.fields as { req?: number }).req === req)
        .map((e) => (e.kind === 'io' ? `io ${e.fields.node} ${e.fields.op}` : e.kind === 'reply' ? `reply ${e.fields.ok}` : e.kind));
    // Request 3, the primary's flush: its local disk, then the secondary disk the NBD export serves.
    expect(byRequest(3)).toEqual(['io primary-disk flush', 'io secondary-disk flush', 'reply true']);
    // Request 4, the secondary's: the replication node flushes its newest children first (secondary disk, hidden), then its file (active).
    expect(byRequest(4)).toEqual(['io secondary-disk flush', 'io hidden-disk flush', 'io active-disk flush', 'reply true']);
    // Request 5, a discard: dropped where it enters (discard=ignore; quorum has no discard), so only its answer names it.
    expect(byRequest(5)).toEqual(['reply true']);
  });

  it('a reply follows the events its request caused: a primary write is answered after the quorum voted', async () => {
    const { env } = await runScenarioOnEngine(SCENARIO, { traceLevel: 'full' });
    const order = env.trace
      .events()
      .flatMap((e) => (e.kind === 'quorum-write' || e.kind === 'reply' ? [`${e.kind} ${(e.fields as { req?: number }).req}`] : []))
      .filter((e) => e.endsWith(' 1') || e.endsWith(' 2'));
    expect(order.indexOf('quorum-write 1')).toBeLessThan(order.indexOf('reply 1'));
    expect(order.indexOf('quorum-write 2')).toBeLessThan(order.indexOf('reply 2'));
    expect(order.filter((e) => e.startsWith('reply')).sort()).toEqual(['reply 1', 'reply 2']);
  });

  it('a run without guest I/O mints no id', async () => {
    const { env } = await runScenarioOnEngine(parseScenario({ colosim: 1, name: 'control', disk: { size: 1048576 }, steps: [{ do: 'start', side: 'both' }] }), {
      traceLevel: 'full',
    });
    expect(env.trace.eventsOf('request')).toEqual([]);
    expect(env.requestId()).toBe(1);
  });
});
