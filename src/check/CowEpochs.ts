/*
 * cow-first-copy-wins, from the backup job's own reports: within one epoch (from the job's start or
 * a checkpoint to the next checkpoint) each cluster is copied into hidden at most once. A copy
 * belongs to the epoch in which it claimed its cluster, even if it finishes after the next checkpoint.
 */
import type { TypedTraceEvent } from '../sim/TraceEvents.js';
import type { Reporter } from './Reporter.js';

export class CowEpochs {
  /** "job#epoch" -> clusters copied in that epoch. */
  private readonly copied = new Map<string, Set<number>>();

  constructor(private readonly report: Reporter) {}

  onEvent(event: TypedTraceEvent): void {
    if (event.kind !== 'cow') return;
    const f = event.fields;
    const key = `${f.job}#${f.epoch}`;
    const clusters = this.copied.get(key) ?? new Set<number>();
    this.copied.set(key, clusters);
    const cluster = f.cluster;
    const cause = f.req === undefined ? '' : ` (for request ${f.req})`;
    this.report.check('cow-first-copy-wins', !clusters.has(cluster), () => `${f.job} copied cluster ${cluster} into hidden twice in epoch ${f.epoch}${cause}`);
    clusters.add(cluster);
  }
}
