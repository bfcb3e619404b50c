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
import { parseNodeName } from './pairNames.js';
import type { Reporter } from './Reporter.js';

const CONFLICT_CLUSTER = /\((backup[^,]*), cluster (\d+):/;

export class CowEpochs {
  /** "job#epoch" -> clusters copied in that epoch. */
  private readonly copied = new Map<string, Set<number>>();
  /** "job:cluster" -> checkpoints begun on the job's node when its copy in flight began. */
  private readonly inFlight = new Map<string, number>();
  /** Disk index -> checkpoints begun on its secondary replication node. */
  private readonly checkpoints = new Map<number, number>();

  constructor(private readonly report: Reporter) {}

  onEvent(event: TypedTraceEvent): void {
    switch (event.kind) {
      case 'cow-begin':
        this.inFlight.set(`${event.fields.job}:${event.fields.cluster}`, this.checkpointsOf(parseNodeName(event.fields.job).disk));
        return;
      case 'cow':
        return this.onCopied(event.fields);
      case 'repl-op-begin':
        if (event.fields.op === 'checkpoint') {
          const id = parseNodeName(event.fields.node);
          if (id.role === 'replication-secondary') this.checkpoints.set(id.disk, this.checkpointsOf(id.disk) + 1);
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
    const ok = began !== undefined && began < this.checkpointsOf(parseNodeName(job).disk);
    this.report.check('conformance', ok, () =>
      `the secondary side aborted in block-copy (${reason}), but no copy of that cluster was in flight since before a checkpoint of ${job}'s node began`,
    );
  }

  private checkpointsOf(disk: number): number {
    return this.checkpoints.get(disk) ?? 0;
  }
}
