/*
 * The node conformance check can fail: for a FAILOVER_FAILED write the engine's answer comes from
 * what the engine did (its trace says whether it split the write by allocation), not from the
 * chart's expectation. An engine patched to send FAILOVER_FAILED writes through its file child, as
 * in RUNNING (replication_get_io_status answering 0 instead of 1), is caught by conformance.
 */
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { parseScenarioText } from '../scenario/parseScenario.js';
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
