/*
 * The hunt shape as a scenario file (the parser's format): start both, the primary's writes, then a
 * concurrent step whose failover (primary lost) is followed by the secondary's writes (the QEMU step
 * runner issues each sub-step once the one before has its reply), then a read of each secondary write
 * through the secondary disk's own export (node "disk") expecting its bytes. The qcow2 options and
 * the versions the loss holds for go in the description: the format has no field for either, and
 * without the small L2 cache the window is too short to meet (issue 12 §4's table).
 */
import { encodeRuns } from '../../scenario/runs.js';
import { type HuntShape, formatQcow2Options, primaryWrites, secondaryWrites } from './HuntShape.js';

export interface HuntScenarioNote {
  /** e.g. "lost on 10.0.2; not on 7.2.22, 10.0.13" */
  readonly versions: string;
  /** How it was found, e.g. the hunt command line and its counts. */
  readonly found: string;
}

export function huntScenario(name: string, shape: HuntShape, note: HuntScenarioNote): Record<string, unknown> {
  const writes = secondaryWrites(shape);
  const description =
    `Acknowledged secondary writes lost at failover (QEMU commit 058cfca564's disabled dirty bitmap during the active commit's start-up; fix 949a156773). ` +
    `Versions: ${note.versions}. Needs the active and hidden qcow2 options ${formatQcow2Options(shape.qcow2Options)} and the writes issued ${shape.beforeReply ? 'before the failover reply' : 'right after the failover reply'}; ` +
    `the loss is a race, so one run may pass: colosim hunt (or the script of colosim export-repro FILE) repeats it. Found: ${note.found}`;
  return {
    colosim: 1,
    name,
    description,
    disk: { size: shape.diskSizeBytes, pattern: 0 },
    steps: [
      { do: 'start', side: 'both' },
      ...primaryWrites(shape).map((w) => ({ do: 'write', vm: 'primary', offset: w.offset, length: w.length, pattern: w.pattern })),
      { do: 'concurrent', steps: [{ do: 'failover', lost: 'primary' }, ...writes.map((w) => ({ do: 'write', vm: 'secondary', offset: w.offset, length: w.length, pattern: w.pattern }))] },
      ...writes.map((w) => ({
        do: 'read',
        vm: 'secondary',
        node: 'disk',
        offset: w.offset,
        length: w.length,
        expect: { ok: true, runs: encodeRuns(new Uint8Array(w.length).fill(w.pattern)) },
        note: 'no-lost-acknowledged-write',
      })),
    ],
  };
}
