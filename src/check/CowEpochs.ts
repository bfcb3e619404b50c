/*
 * From the backup job's own reports, two rules of QEMU's block-copy:
 * - cow-first-copy-wins: within one epoch (from the job's start or a checkpoint to the next
 *   checkpoint) each cluster is copied into hidden at most once. A copy belongs to the epoch in
 *   which it claimed its cluster, even if it finishes after the next checkpoint.
 * - the conflict assertion (block_copy_task_create): a secondary that dies of it must have had a
 *   copy of the named cluster in flight since before a checkpoint began on its replication node
 *   (the checkpoint re-dirties the cluster, and the next write to it makes a second task over the
 *   first). Checked under `conformance`. Limits: a copy that failed reports no end, so it counts as
 *   in flight until its cluster's next copy begins; that a write reached the cluster is not checked.
 */
import { BLOCK_COPY_CONFLICT } from '../jobs/BackupJob.js';
import type { TypedTraceEvent } from '../sim/TraceEvents.js';
import type { Reporter } from './Reporter.js';

const CONFLICT_CLUSTER = /\((backup[^,]*), cluster (\d+):/;

export class CowEpochs {
  /** "job#epoch" -> clusters copied in that epoch. */
  private readonly copied = new Map<string, Set<number>>();
  /** "job:cluster" -> checkpoints begun on the job's node when its copy in flight began. */
  private readonly inFlight = new Map<string, number>();
  /** The disk's suffix ("" or ".1") -> checkpoints begun on its secondary replication node. */
  private readonly checkpoints = new Map<string, number>();

  constructor(private readonly report: Reporter) {}

  onEvent(event: TypedTraceEvent): void {
    switch (event.kind) {
      case 'cow-begin':
        this.inFlight.set(`${event.fields.job}:${event.fields.cluster}`, this.checkpointsOf(jobSuffix(event.fields.job)));
        return;
      case 'cow':
        return this.onCopied(event.fields);
      case 'repl-op-begin':
        if (event.fields.op === 'checkpoint' && event.fields.node.startsWith('replication-secondary')) {
          const suffix = event.fields.node.slice('replication-secondary'.length);
          this.checkpoints.set(suffix, this.checkpointsOf(suffix) + 1);
        }
        return;
      case 'side':
        if (event.fields.event === 'crashed' && event.fields.injected !== true && event.fields.reason?.includes(BLOCK_COPY_CONFLICT)) this.judgeConflict(event.fields.reason);
        return;
      default:
        return;
    }
  }

  private onCopied(f: Extract<TypedTraceEvent, { kind: 'cow' }>['fields']): void {
    this.inFlight.delete(`${f.job}:${f.cluster}`);
    const key = `${f.job}#${f.epoch}`;
    const clusters = this.copied.get(key) ?? new Set<number>();
    this.copied.set(key, clusters);
    const cluster = f.cluster;
    const cause = f.req === undefined ? '' : ` (for request ${f.req})`;
    this.report.check('cow-first-copy-wins', !clusters.has(cluster), () => `${f.job} copied cluster ${cluster} into hidden twice in epoch ${f.epoch}${cause}`);
    clusters.add(cluster);
  }

  private judgeConflict(reason: string): void {
    const named = CONFLICT_CLUSTER.exec(reason);
    const job = named?.[1] ?? '?';
    const began = named === null ? undefined : this.inFlight.get(`${job}:${named[2]}`);
    const ok = began !== undefined && began < this.checkpointsOf(jobSuffix(job));
    this.report.check('conformance', ok, () =>
      `the secondary side aborted in block-copy (${reason}), but no copy of that cluster was in flight since before a checkpoint of ${job}'s node began`,
    );
  }

  private checkpointsOf(suffix: string): number {
    return this.checkpoints.get(suffix) ?? 0;
  }
}

/** "backup.1" -> ".1", as the job's replication node is named "replication-secondary.1". */
function jobSuffix(job: string): string {
  return job.slice('backup'.length);
}
