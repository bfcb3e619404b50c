import { describe, expect, it } from 'vitest';
import { BLOCK_COPY_CONFLICT } from '../jobs/BackupJob.js';
import { parseScenarioText } from '../scenario/parseScenario.js';
import type { TraceEventFields, TraceKind, TraceSide, TypedTraceEvent } from '../sim/TraceEvents.js';
import { checkScenario } from './checkScenario.js';
import { CrashesExplained } from './CrashesExplained.js';
import { Reporter } from './Reporter.js';

let seq = 0;
const ev = <K extends TraceKind>(kind: K, fields: TraceEventFields[K]): TypedTraceEvent => ({ seq: seq++, tick: 0, kind, fields }) as TypedTraceEvent;
const fired = (point: string) => ev('fault', { fault: 0, kind: 'crash', point });
const crashed = (side: TraceSide, reason: string, injected: boolean) => ev('side', { side, event: 'crashed', reason, injected });
const write = ev('io', { node: 'primary-disk', op: 'write', offset: 0, bytes: 512, result: 'ok' } as TraceEventFields['io']);

function judge(events: TypedTraceEvent[], chartCrashed: TraceSide[] = []): { messages: string[]; checks: number } {
  const report = new Reporter();
  const crashes = new CrashesExplained(report, (side) => chartCrashed.includes(side));
  for (const e of events) crashes.onEvent(e);
  crashes.finish();
  return { messages: report.violations.map((v) => `${v.invariant}: ${v.message}`), checks: report.checks.get('crash-explained') ?? 0 };
}

describe('CrashesExplained: every process end has a named cause', () => {
  it('admits a crash fault that fires and ends its side at once', () => {
    expect(judge([fired('secondary:before-cow'), crashed('secondary', 'crash fault at secondary:before-cow', true), write])).toEqual({ messages: [], checks: 1 });
  });

  it('refuses a crash fault that fires and leaves its side alive, whether other events follow or the run ends', () => {
    const alive = 'crash-explained: the crash fault at primary:after-local-write fired, but the primary side did not end';
    expect(judge([fired('primary:after-local-write'), write])).toEqual({ messages: [alive], checks: 1 });
    expect(judge([fired('primary:after-local-write')])).toEqual({ messages: [alive], checks: 1 });
    // The other side ending is not this fault's end.
    expect(judge([fired('primary:after-local-write'), crashed('secondary', 'crash fault at primary:after-local-write', true)]).messages).toEqual([
      alive,
      'crash-explained: the secondary side crashed of an injected fault (crash fault at primary:after-local-write), but no crash fault fired there',
    ]);
  });

  it('refuses an injected crash no fault fired, or with another point than the one that fired', () => {
    expect(judge([crashed('primary', 'crash fault at primary:before-forward', true)]).messages).toEqual([
      'crash-explained: the primary side crashed of an injected fault (crash fault at primary:before-forward), but no crash fault fired there',
    ]);
    expect(judge([fired('primary:before-forward'), crashed('primary', 'crash fault at primary:after-local-write', true)]).messages).toEqual([
      'crash-explained: the primary side crashed of "crash fault at primary:after-local-write", but the fault that fired was "crash fault at primary:before-forward"',
    ]);
  });

  it('admits a crash an operation of that side answered, with the same reason', () => {
    const reason = 'replication-secondary: stop reopens the ejected hidden-disk (SIGSEGV)';
    const stop = ev('repl-op', { node: 'replication-secondary', mode: 'secondary', op: 'stop', arg: true, stage: 'RUNNING', ok: false, error: `the secondary side crashed: ${reason}` });
    expect(judge([stop, crashed('secondary', reason, false)])).toEqual({ messages: [], checks: 1 });
    // An answer on the other side, or with another reason, explains nothing.
    const unexplained = `crash-explained: the secondary side crashed (${reason}) with no fault, no operation answering it and no rule of the chart or of block-copy for it`;
    const primaryStop = ev('repl-op', { node: 'replication-primary', mode: 'primary', op: 'stop', arg: false, stage: 'RUNNING', ok: false, error: `the primary side crashed: ${reason}` });
    expect(judge([primaryStop, crashed('secondary', reason, false)]).messages).toEqual([unexplained]);
    const other = ev('repl-op', { node: 'replication-secondary', mode: 'secondary', op: 'stop', arg: true, stage: 'RUNNING', ok: false, error: 'the secondary side crashed: something else' });
    expect(judge([other, crashed('secondary', reason, false)]).messages).toEqual([unexplained]);
    const error = ev('repl-op', { node: 'replication-secondary', mode: 'secondary', op: 'stop', arg: true, stage: 'RUNNING', ok: false, error: reason });
    expect(judge([error, crashed('secondary', reason, false)]).messages).toEqual([unexplained]);
  });

  it("leaves block-copy's conflict abort to CowEpochs and admits a crash the chart reached", () => {
    expect(judge([crashed('secondary', `${BLOCK_COPY_CONFLICT} (backup, cluster 2: dirtied by a checkpoint)`, false)])).toEqual({ messages: [], checks: 1 });
    const callback = 'replication-secondary: commit completion callback ran on a closed replication node';
    expect(judge([crashed('secondary', callback, false)], ['secondary'])).toEqual({ messages: [], checks: 1 });
    expect(judge([crashed('secondary', callback, false)], ['primary']).messages).toEqual([
      `crash-explained: the secondary side crashed (${callback}) with no fault, no operation answering it and no rule of the chart or of block-copy for it`,
    ]);
  });

  it('counts nothing for a lost side', () => {
    expect(judge([ev('side', { side: 'secondary', event: 'lost' })])).toEqual({ messages: [], checks: 0 });
  });
});

describe('crash-explained on the engine: v24 deletes the secondary node while its commit runs', () => {
  const scenario = parseScenarioText(
    JSON.stringify({
      colosim: 1,
      name: 'v24-close-during-commit',
      profile: 'v24',
      disk: { size: 1 << 20 },
      engine: { timing: { commitPaceTicks: 1000 } },
      steps: [
        { do: 'start', side: 'both' },
        { do: 'write', vm: 'secondary', offset: 0, length: 65536, pattern: 0x41 },
        { do: 'concurrent', steps: [{ do: 'failover' }, { do: 'close', side: 'secondary' }] },
      ],
    }),
    'v24-close-during-commit.json',
  );
  const late = [
    "conformance: commit copied [0,+65536] after replication-secondary was closed: close must cancel the node's jobs and wait for them",
    "conformance: commit completed after replication-secondary was closed: close must cancel the node's jobs and wait for them",
  ];

  it("v24's own chart crashes the closed node when the commit reports, so the abort is explained", async () => {
    const r = await checkScenario(scenario, {}, { spec: 'own' });
    expect(r.checks.get('crash-explained')).toBe(1);
    expect(r.violations.map((v) => `${v.invariant}: ${v.message}`)).toEqual(late);
  });

  it("QEMU 7.2's chart cancelled that commit at close: the abort is a crash-explained violation", async () => {
    const r = await checkScenario(scenario, {}, { spec: 'qemu-7.2' });
    expect(r.checks.get('crash-explained')).toBe(1);
    expect(r.violations.map((v) => `${v.invariant}: ${v.message}`)).toEqual([
      ...late,
      'crash-explained: the secondary side crashed (replication-secondary: commit completion callback ran on a closed replication node) with no fault, no operation answering it and no rule of the chart or of block-copy for it',
    ]);
  });
});
