/*
 * The node conformance check can fail: for a FAILOVER_FAILED write the engine's answer comes from
 * what the engine did (its trace says whether it split the write by allocation), not from the
 * chart's expectation. An engine patched to send FAILOVER_FAILED writes through its file child, as
 * in RUNNING (replication_get_io_status answering 0 instead of 1), is caught by conformance. A write
 * admitted in FAILOVER that ends after the commit failed is judged by FAILOVER's answer, as QEMU
 * reads the I/O status when the request enters.
 */
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { parseScenario, parseScenarioText } from '../scenario/parseScenario.js';
import { checkScenario } from './checkScenario.js';

const mutant = vi.hoisted(() => ({ routeFailoverFailedThroughFile: false }));

vi.mock('../replication/ReplicationStage.js', async (importOriginal) => {
  const real = await importOriginal<typeof import('../replication/ReplicationStage.js')>();
  return {
    ...real,
    ioStatus: (stage: Parameters<typeof real.ioStatus>[0], mode: Parameters<typeof real.ioStatus>[1]) =>
      mutant.routeFailoverFailedThroughFile && stage === 'FAILOVER_FAILED' && mode === 'secondary' ? 0 : real.ioStatus(stage, mode),
  };
});

afterEach(() => {
  mutant.routeFailoverFailedThroughFile = false;
});

/** Steps 13 and 14 write in FAILOVER_FAILED: cluster 2 still in active, cluster 7 nowhere above the disk. */
const routing = parseScenarioText(readFileSync(new URL('../../properties/scenarios/gaps/failover-failed-routing.json', import.meta.url), 'utf8'));

describe('NodeConformance: FAILOVER_FAILED writes', () => {
  it('the engine splits them as the chart says: no violation', async () => {
    const checked = await checkScenario(routing, {}, { spec: 'qemu-7.2' });
    expect(checked.run.document.aborted).toBeUndefined();
    expect(checked.violations).toEqual([]);
  });

  it('an engine that writes them through its file child fails conformance at those steps', async () => {
    mutant.routeFailoverFailedThroughFile = true;
    const checked = await checkScenario(routing, {}, { spec: 'qemu-7.2' });
    const conformance = checked.violations.filter((v) => v.invariant === 'conformance').map((v) => [v.step, v.message]);
    expect(conformance).toEqual([
      [13, 'replication-secondary write [131072,+512] in FAILOVER_FAILED (lower ok): the chart answers split, the engine ok'],
      [14, 'replication-secondary write [458752,+512] in FAILOVER_FAILED (lower ok): the chart answers split, the engine ok'],
    ]);
  });
});

describe('NodeConformance: the chart log', () => {
  it('is kept only when asked for, and asking changes no check and no coverage', async () => {
    const kept = await checkScenario(routing, {}, { spec: 'qemu-7.2', chartLog: true });
    const left = await checkScenario(routing, {}, { spec: 'qemu-7.2' });
    expect(kept.chartLog).toHaveLength(17);
    expect(kept.chartLog[0]).toEqual({ node: 'replication-secondary', mode: 'secondary', event: { type: 'START', mode: 'secondary', fault: undefined }, state: 'RUNNING', step: 0, transitions: ['node.NONE --START--> node.RUNNING'] });
    expect(left.chartLog).toEqual([]);
    expect([...left.checks]).toEqual([...kept.checks]);
    expect([...left.coverage.transitions]).toEqual([...kept.coverage.transitions]);
  });
});

describe('NodeConformance: I/O is judged by the stage that admitted it', () => {
  // The commit fails on its first copy (cluster 0) while the secondary VM's write to cluster 1,
  // admitted in FAILOVER, waits on the link: it ends with the node in FAILOVER_FAILED.
  const race = parseScenario({
    colosim: 1,
    name: 'write-admitted-in-failover',
    disk: { size: 1048576, pattern: 17 },
    engine: {
      schedule: { policy: 'replay', choices: [0, 0, 0, 0, 0, 0, 0, 0, 0] },
      timing: { linkLatencyTicks: 1000, commitPaceTicks: 0, commitChunkBytes: 65536 },
      faults: [{ kind: 'io-error', node: 'secondary-disk', op: 'write', errno: 'EIO', offset: 0, bytes: 512, times: 1 }],
    },
    steps: [
      { do: 'start', side: 'both' },
      { do: 'write', vm: 'secondary', offset: 0, length: 512, pattern: 51 },
      { do: 'concurrent', steps: [{ do: 'failover' }, { do: 'write', vm: 'secondary', offset: 65536, length: 512, pattern: 68 }] },
    ],
  });

  it('a write admitted in FAILOVER and ended in FAILOVER_FAILED went through the file child: no violation', async () => {
    const checked = await checkScenario(race, { traceLevel: 'full' }, { spec: 'qemu-7.2' });
    const events = checked.run.env.trace.events();
    const failed = events.findIndex((e) => e.kind === 'stage' && e.fields.to === 'FAILOVER_FAILED');
    const write = events.findIndex((e) => e.kind === 'repl-io' && e.fields.op === 'write' && e.fields.offset === 65536);
    expect(failed).toBeGreaterThan(0);
    expect(write).toBeGreaterThan(failed);
    // req 2: the scenario's second guest request (step 1's write is the first).
    expect(events[write]!.fields).toEqual({ node: 'replication-secondary', mode: 'secondary', op: 'write', offset: 65536, bytes: 512, stage: 'FAILOVER', result: 'ok', lower: 'ok', req: 2 });
    expect(checked.violations).toEqual([]);
  });
});
