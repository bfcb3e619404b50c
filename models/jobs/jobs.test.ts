/* The backup and commit job charts: which clusters get copied, and what each end leaves on disk. */
import { describe, expect, test } from 'vitest';
import { initialTransition, transition } from 'xstate';
import { type BackupJobEvent, backupJob } from './backupJob.js';
import { type CommitJobEvent, commitJob } from './commitJob.js';

function runBackup(events: BackupJobEvent[]) {
  let [s] = initialTransition(backupJob);
  for (const e of events) [s] = transition(backupJob, s, e);
  return s;
}
function runCommit(events: CommitJobEvent[]) {
  let [s] = initialTransition(commitJob);
  for (const e of events) [s] = transition(commitJob, s, e);
  return s;
}

describe('backup job (copy-before-write)', () => {
  test('the first write to a cluster copies it, later ones copy only armed clusters', () => {
    const first = runBackup([{ type: 'SOURCE_WRITE', firstCluster: 2, lastCluster: 3 }]);
    expect([first.value, first.context.copiedClusters, first.context.lastCopied]).toEqual([{ RUNNING: 'SOME_COPIED' }, [2, 3], [2, 3]]);
    const second = runBackup([
      { type: 'SOURCE_WRITE', firstCluster: 2, lastCluster: 3 },
      { type: 'SOURCE_WRITE', firstCluster: 3, lastCluster: 4 },
    ]);
    expect([second.context.copiedClusters, second.context.lastCopied]).toEqual([[2, 3, 4], [4]]);
    const none = runBackup([
      { type: 'SOURCE_WRITE', firstCluster: 2, lastCluster: 3 },
      { type: 'SOURCE_WRITE', firstCluster: 2, lastCluster: 2 },
    ]);
    expect(none.context.lastCopied).toEqual([]);
  });
  test('a checkpoint re-arms every cluster', () => {
    const s = runBackup([{ type: 'SOURCE_WRITE', firstCluster: 0, lastCluster: 0 }, { type: 'CHECKPOINT' }, { type: 'SOURCE_WRITE', firstCluster: 0, lastCluster: 0 }]);
    expect([s.context.copiedClusters, s.context.lastCopied]).toEqual([[0], [0]]);
  });
  test('a failed copy fails the guest write and copies nothing', () => {
    const s = runBackup([{ type: 'SOURCE_WRITE', firstCluster: 1, lastCluster: 1, copyFails: true }]);
    expect([s.value, s.context.outcome, s.context.copiedClusters]).toEqual([{ RUNNING: 'ALL_ARMED' }, { kind: 'eio' }, []]);
  });
  test('cancel and failure end the job', () => {
    expect([runBackup([{ type: 'CANCEL' }]).value, runBackup([{ type: 'FAIL' }]).status]).toEqual(['CANCELLED', 'done']);
  });
});

describe('commit job (active commit with auto-complete)', () => {
  test('READY then auto-complete pivots onto the secondary disk', () => {
    const s = runCommit([{ type: 'SYNCED' }, { type: 'AUTO_COMPLETE' }]);
    expect([s.value, s.context.target]).toEqual(['COMPLETED', 'pivoted']);
  });
  test('a non-forced cancel of a READY job leaves a consistent target, a forced one does not', () => {
    expect(runCommit([{ type: 'SYNCED' }, { type: 'SOURCE_WRITE' }, { type: 'CANCEL', force: false }]).context.target).toBe('consistent');
    expect(runCommit([{ type: 'SYNCED' }, { type: 'CANCEL', force: true }]).context.target).toBe('part-written');
    expect(runCommit([{ type: 'CANCEL', force: false }]).context.target).toBe('part-written');
  });
  test('an I/O error fails the job with the target part-written', () => {
    const s = runCommit([{ type: 'SOURCE_WRITE' }, { type: 'IO_ERROR' }]);
    expect([s.value, s.context.target]).toEqual(['FAILED', 'part-written']);
  });
});
