/*
 * Pinned trace hashes of two library scenarios, so a change to what the engine traces (or to how
 * the trace hashes) is seen and explained, never slipped in. Request ids (a `request` event where a
 * guest request enters, then `req` on what it causes, `reqs` on commit copies, a `reply` when the
 * guest gets its answer) changed the hash of every run with guest I/O, and nothing else: the same
 * run without them hashes to the value it had before ids existed. A run without guest I/O kept its hash.
 * The `cow-begin` event (a copy-before-write copy begins; the block-copy conflict rule's evidence)
 * came later and changed the first hash only: left out too, the run still hashes as before ids.
 */
import { describe, expect, it } from 'vitest';
import { runScenarioOnEngine } from '../src/scenario/runScenarioOnEngine.js';
import type { Clock } from '../src/sim/Clock.js';
import { Trace, type TraceFields } from '../src/sim/Trace.js';
import type { TraceKind, TypedTraceEvent } from '../src/sim/TraceEvents.js';
import { loadScenarioFolder } from './scenarioFiles.js';

const gaps = loadScenarioFolder('gaps');
const scenario = (name: string) => gaps.find((f) => f.scenario.name === name)!.scenario;

/** The hash of the same events with their request ids (and the replies, which name them) and the later cow-begin events left out. */
function hashWithoutRequestIds(events: readonly TypedTraceEvent[]): string {
  let tick = 0;
  const clock: Clock = { now: () => tick };
  const trace = new Trace('hash', clock);
  for (const e of events) {
    if (e.kind === 'request' || e.kind === 'reply' || e.kind === 'cow-begin') continue;
    tick = e.tick;
    const { req: _req, reqs: _reqs, ...rest } = e.fields as TraceFields;
    trace.emit(e.kind as TraceKind, rest as never);
  }
  return trace.hash();
}

describe('pinned trace hashes', () => {
  it('a run with guest I/O: its hash, and without its request ids the hash it had before ids existed', async () => {
    const run = await runScenarioOnEngine(scenario('gaps/partial-cluster-cow'), { traceLevel: 'full' });
    expect(run.document.traceHash).toBe('66f7da0b1c7f8190');
    const events = run.env.trace.events();
    expect(events.filter((e) => 'req' in e.fields && e.fields.req !== undefined).length).toBeGreaterThan(0);
    expect(hashWithoutRequestIds(events)).toBe('b0f00e12b5a6de6a');
  });

  it('a run without guest I/O kept its hash', async () => {
    const run = await runScenarioOnEngine(scenario('gaps/mode-mismatch'));
    expect(run.document.traceHash).toBe('a2b5b853447f0fd2');
  });
});
