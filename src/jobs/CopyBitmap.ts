/*
 * Which clusters of the source still need their old content copied before the next write
 * (block-copy's dirty bitmap; in 2016 the inverse "done" bitmap). A checkpoint re-arms every cluster.
 * Stored sparse: one default for every cluster plus the set of clusters that differ from it, so
 * memory follows the clusters touched, not the disk size (a 1 TiB disk has 16 Mi clusters of 64 KiB).
 * clustersBetween lists the clusters of a range, clipped to the disk, for the jobs to walk.
 */

export class CopyBitmap {
  /** Whether a cluster not in `flipped` is armed. */
  private armedByDefault = false;
  private readonly flipped = new Set<number>();
  readonly clusters: number;

  constructor(
    readonly lengthBytes: number,
    readonly clusterSize: number,
  ) {
    this.clusters = Math.ceil(lengthBytes / clusterSize);
  }

  armAll(): void {
    this.armedByDefault = true;
    // Cleared only when it holds something: clear() allocates a new table even for an empty set.
    if (this.flipped.size > 0) this.flipped.clear();
  }

  isArmed(cluster: number): boolean {
    if (cluster < 0 || cluster >= this.clusters) return false;
    return this.flipped.has(cluster) !== this.armedByDefault;
  }

  /** Take a cluster for copying: true if it was armed (it is not any more). */
  take(cluster: number): boolean {
    if (!this.isArmed(cluster)) return false;
    this.set(cluster, false);
    return true;
  }

  /** A failed copy leaves the cluster armed again. */
  rearm(cluster: number): void {
    if (cluster >= 0 && cluster < this.clusters) this.set(cluster, true);
  }

  /** The clusters from `first` up to, not including, `end`, clipped to the disk, in order. */
  clustersBetween(first: number, end: number): number[] {
    const from = Math.max(0, first);
    const to = Math.min(end, this.clusters);
    return Array.from({ length: Math.max(0, to - from) }, (_, i) => from + i);
  }

  armedCount(): number {
    return this.armedByDefault ? this.clusters - this.flipped.size : this.flipped.size;
  }

  /** The lowest armed cluster at or after `from`, or null. */
  nextArmed(from: number): number | null {
    if (this.armedByDefault) {
      for (let c = Math.max(0, from); c < this.clusters; c++) if (!this.flipped.has(c)) return c;
      return null;
    }
    let lowest: number | null = null;
    // Stryker disable next-line EqualityOperator: flipped is a set, so no two clusters are equal and `<` and `<=` keep the same one
    for (const c of this.flipped) if (c >= from && (lowest === null || c < lowest)) lowest = c;
    return lowest;
  }

  private set(cluster: number, armed: boolean): void {
    if (armed === this.armedByDefault) this.flipped.delete(cluster);
    else this.flipped.add(cluster);
  }
}
