import { describe, expect, it } from 'vitest';
import { BLOCK_COPY_CONFLICT } from '../jobs/BackupJob.js';
import type { TraceEventFields, TraceKind, TypedTraceEvent } from '../sim/TraceEvents.js';
import { CowEpochs } from './CowEpochs.js';
import { Reporter } from './Reporter.js';

let seq = 0;
const ev = <K extends TraceKind>(kind: K, fields: TraceEventFields[K]): TypedTraceEvent => ({ seq: seq++, tick: 0, kind, fields }) as TypedTraceEvent;

const conflict = (job: string, cluster: number) => `${BLOCK_COPY_CONFLICT} (${job}, cluster ${cluster}: dirtied by a checkpoint while its copy was in flight)`;
const aborted = (reason: string) => ev('side', { side: 'secondary', event: 'crashed', reason, injected: false });

function judge(events: TypedTraceEvent[]): { messages: string[]; checks: number } {
  const report = new Reporter();
  const cow = new CowEpochs(report);
  for (const e of events) cow.onEvent(e);
  return { messages: report.violations.map((v) => `${v.invariant}: ${v.message}`), checks: report.checks.get('conformance') ?? 0 };
}

describe('CowEpochs: the block-copy conflict assertion', () => {
  it('admits the abort when the cluster was being copied since before a checkpoint of its node began', () => {
    const r = judge([
      ev('cow-begin', { job: 'backup.1', cluster: 3, epoch: 0, req: 7 }),
      ev('repl-op-begin', { node: 'replication-secondary.1', op: 'checkpoint' }),
      aborted(conflict('backup.1', 3)),
    ]);
    expect(r).toEqual({ messages: [], checks: 1 });
  });

  const refused = (job: string, cluster: number) =>
    `conformance: the secondary side aborted in block-copy (${conflict(job, cluster)}), but no copy of that cluster was in flight since before a checkpoint of ${job}'s node began`;

  it('refuses it when no checkpoint began since the copy did, or only on another disk', () => {
    expect(judge([ev('repl-op-begin', { node: 'replication-secondary', op: 'checkpoint' }), ev('cow-begin', { job: 'backup', cluster: 0, epoch: 1 }), aborted(conflict('backup', 0))]).messages).toEqual([refused('backup', 0)]);
    expect(judge([ev('cow-begin', { job: 'backup', cluster: 0, epoch: 0 }), ev('repl-op-begin', { node: 'replication-secondary.1', op: 'checkpoint' }), aborted(conflict('backup', 0))]).messages).toEqual([refused('backup', 0)]);
  });

  it('refuses it when that copy had ended, or another cluster was in flight', () => {
    const ended = judge([
      ev('cow-begin', { job: 'backup', cluster: 2, epoch: 0 }),
      ev('cow', { job: 'backup', cluster: 2, offset: 131072, bytes: 65536, epoch: 0 }),
      ev('repl-op-begin', { node: 'replication-secondary', op: 'checkpoint' }),
      aborted(conflict('backup', 2)),
    ]);
    expect(ended.messages).toEqual([refused('backup', 2)]);
    const other = judge([ev('cow-begin', { job: 'backup', cluster: 1, epoch: 0 }), ev('repl-op-begin', { node: 'replication-secondary', op: 'checkpoint' }), aborted(conflict('backup', 2))]);
    expect(other.messages).toEqual([refused('backup', 2)]);
  });

  it('leaves injected crashes and other crash reasons to the other checks', () => {
    const r = judge([
      ev('side', { side: 'secondary', event: 'crashed', reason: conflict('backup', 0), injected: true }),
      ev('side', { side: 'secondary', event: 'crashed', reason: 'crash fault at secondary:before-cow', injected: true }),
    ]);
    expect(r).toEqual({ messages: [], checks: 0 });
  });
});
