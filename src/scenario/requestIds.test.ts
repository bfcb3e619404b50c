/*
 * Guest requests enter at the scenario runner: each read or write step gets the next request id,
 * announced by a `request` event that names its step (and its place in a concurrent group), and
 * every event the request causes carries that id, so a checker maps events to steps by identity.
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

  it('a run without guest I/O mints no id', async () => {
    const { env } = await runScenarioOnEngine(parseScenario({ colosim: 1, name: 'control', disk: { size: 1048576 }, steps: [{ do: 'start', side: 'both' }] }), {
      traceLevel: 'full',
    });
    expect(env.trace.eventsOf('request')).toEqual([]);
    expect(env.requestId()).toBe(1);
  });
});
