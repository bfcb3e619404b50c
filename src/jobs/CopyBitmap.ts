/*
 * Which clusters of the source still need their old content copied before the next write
 * (block-copy's dirty bitmap; in 2016 the inverse "done" bitmap). A checkpoint re-arms every cluster.
 */

export class CopyBitmap {
  private readonly needsCopy: Uint8Array;

  constructor(
    readonly lengthBytes: number,
    readonly clusterSize: number,
  ) {
    this.needsCopy = new Uint8Array(Math.ceil(lengthBytes / clusterSize));
  }

  get clusters(): number {
    return this.needsCopy.length;
  }

  armAll(): void {
    this.needsCopy.fill(1);
  }

  isArmed(cluster: number): boolean {
    return this.needsCopy[cluster] === 1;
  }

  /** Take a cluster for copying: true if it was armed (it is not any more). */
  take(cluster: number): boolean {
    if (this.needsCopy[cluster] !== 1) return false;
    this.needsCopy[cluster] = 0;
    return true;
  }

  /** A failed copy leaves the cluster armed again. */
  rearm(cluster: number): void {
    this.needsCopy[cluster] = 1;
  }

  armedCount(): number {
    let n = 0;
    for (const bit of this.needsCopy) n += bit;
    return n;
  }
}
