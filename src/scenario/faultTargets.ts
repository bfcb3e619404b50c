/*
 * The names a scenario's fault plan may aim at, given its number of disks: a fault on a name the
 * pair does not have would be accepted and never fire, so the parser rejects it and lists these.
 * The pair names disk i's nodes with diskSuffix(i) ("", ".1", ".2", ...); every chain variant
 * keeps the names. Backup and commit jobs belong to the secondary's replication node.
 */
import { diskSuffix } from '../colo/PairConfig.js';
import { CRASH_POINTS } from '../colo/crashPoints.js';
import type { Fault } from '../sim/FaultPlan.js';

const DISK_NODES = ['primary-disk', 'secondary-disk', 'hidden-disk', 'active-disk', 'link'] as const;

function perDisk(names: readonly string[], disks: number): string[] {
  return Array.from({ length: disks }, (_, i) => names.map((n) => `${n}${diskSuffix(i)}`)).flat();
}

export interface FaultTargets {
  /** io-error and latency faults. */
  readonly node: readonly string[];
  /** link-drop faults. */
  readonly link: readonly string[];
  /** crash faults. */
  readonly point: readonly string[];
  /** job-fail faults' optional node. */
  readonly job: readonly string[];
}

export function faultTargets(disks: number): FaultTargets {
  return {
    node: perDisk(DISK_NODES, disks),
    link: perDisk(['link'], disks),
    point: CRASH_POINTS,
    job: perDisk(['replication-secondary'], disks),
  };
}

/** The first fault aiming at a name the pair does not have: [field, value, allowed names], or null. */
export function unknownTarget(fault: Fault, targets: FaultTargets): [string, string, readonly string[]] | null {
  const check = (field: string, value: string | undefined, allowed: readonly string[]): [string, string, readonly string[]] | null =>
    value === undefined || allowed.includes(value) ? null : [field, value, allowed];
  switch (fault.kind) {
    case 'io-error':
    case 'latency':
      return check('node', fault.node, targets.node);
    case 'link-drop':
      return check('link', fault.link, targets.link);
    case 'crash':
      return check('point', fault.point, targets.point);
    case 'job-fail':
      return check('node', fault.node, targets.job);
  }
}
