/*
 * A COLO pair: the primary and the secondary QEMU, connected by one NBD link per disk. Besides each
 * side's own QMP commands (Side.ts), the pair knows failover: the lost side's process is gone, the
 * survivor cuts the replication traffic (the secondary removes the colo1 exports, the primary takes
 * the NBD child out of its quorum), stops replication with failover=true (errors dropped, as QEMU
 * does) and, on the secondary, waits until the active commit has ended.
 */
import type { SimEnv } from '../sim/SimEnv.js';
import type { PairConfig } from './PairConfig.js';
import { PrimarySide } from './PrimarySide.js';
import { SecondarySide } from './SecondarySide.js';
import type { Side, SideName } from './Side.js';

export class ColoPair {
  readonly secondary: SecondarySide;
  readonly primary: PrimarySide;

  constructor(
    readonly env: SimEnv,
    readonly config: PairConfig,
  ) {
    this.secondary = new SecondarySide(env, config);
    this.primary = new PrimarySide(env, config, this.secondary);
  }

  side(name: SideName): Side {
    return name === 'primary' ? this.primary : this.secondary;
  }

  /** Delete the replication node of one disk, or of every disk (in disk order) when `disk` is absent. */
  async deleteReplication(name: SideName, disk?: number): Promise<void> {
    const side = name === 'primary' ? this.primary : this.secondary;
    const indexes = disk === undefined ? side.disks.map((d) => d.index) : [disk];
    for (const i of indexes) await side.deleteReplication(i);
  }

  /** The `lost` side is gone; the other one takes over. */
  async failover(lost: SideName): Promise<void> {
    if (lost === 'primary') {
      this.primary.die('lost');
      for (const d of this.secondary.disks) this.secondary.server.remove(SecondarySide.coloExport(d.index));
      await this.secondary.xenSetReplication(false, false, true);
      for (const d of this.secondary.disks) await d.replication.waitCommit('failover');
      this.checkSurvived(this.secondary);
      return;
    }
    this.secondary.die('lost');
    await this.primary.removeReplicationChildren();
    await this.primary.xenSetReplication(false, true, true);
    this.checkSurvived(this.primary);
  }

  /** A survivor that crashed while taking over makes the failover fail the way the crash does (only a crashed side has a crash). */
  private checkSurvived(side: Side): void {
    if (side.crash) throw side.crash;
  }
}
