/*
 * The hunt campaign: many trials of the hunt shape (HuntShape.ts) on one or more QEMU builds, the
 * builds interleaved trial by trial so that load on the machine falls on each alike. Every trial gets
 * fresh processes and sparse images; a start-up that fails is retried once (createPair) and a second
 * failure, or QEMU failing mid-trial, ends the hunt with that QemuAdapterError (no verdict). The
 * version each build is comes from query-version.
 */
import { removeDirectory } from '../ChildRegistry.js';
import { createPair } from '../QemuBackend.js';
import { ImageFactory } from '../ImageFactory.js';
import type { QemuPair } from '../QemuPair.js';
import type { QemuTools } from '../QemuTools.js';
import { makeTempDir } from '../TempDirs.js';
import { diskNames, NO_FAULT_RULES } from '../Topology.js';
import { queryVersion, versionString } from '../qemuVersion.js';
import type { HuntShape } from './HuntShape.js';
import { runTrial, type TrialResult } from './HuntTrial.js';

export interface HuntTarget {
  readonly tools: QemuTools;
  /** Where the tools came from, as given (a directory or "PATH"). */
  readonly from: string;
}

export interface HuntTrialRecord extends TrialResult {
  readonly trial: number;
  readonly qemuVersion: string;
}

export interface HuntVersionTotals {
  readonly from: string;
  readonly qemuVersion: string;
  readonly qemuPackage: string;
  readonly trials: number;
  readonly trialsWithLoss: number;
  readonly written: number;
  readonly lost: number;
  readonly records: readonly HuntTrialRecord[];
}

export interface HuntOptions {
  readonly targets: readonly HuntTarget[];
  readonly shape: HuntShape;
  readonly trials: number;
  readonly timeoutMs: number;
  /** Called after every trial (progress lines). */
  readonly onTrial?: (target: HuntVersionTotals, record: HuntTrialRecord) => void;
}

export async function hunt(options: HuntOptions): Promise<HuntVersionTotals[]> {
  const totals = options.targets.map((t) => ({ from: t.from, qemuVersion: '', qemuPackage: '', trials: 0, trialsWithLoss: 0, written: 0, lost: 0, records: [] as HuntTrialRecord[] }));
  for (let trial = 1; trial <= options.trials; trial++) {
    for (const [i, target] of options.targets.entries()) {
      const total = totals[i]!;
      const { record, version } = await oneTrial(target.tools, options, trial);
      total.qemuVersion = versionString(version);
      total.qemuPackage = version.package;
      total.records.push(record);
      total.trials++;
      total.written += record.written;
      total.lost += record.lost;
      if (record.lost > 0) total.trialsWithLoss++;
      options.onTrial?.(total, record);
    }
  }
  return totals;
}

async function oneTrial(tools: QemuTools, options: HuntOptions, trial: number): Promise<{ record: HuntTrialRecord; version: Awaited<ReturnType<typeof queryVersion>> }> {
  const images = new ImageFactory(tools);
  const dir = makeTempDir('hunt');
  let pair: QemuPair | undefined;
  try {
    const files = await images.createDisk(dir, 0, options.shape.diskSizeBytes, 0, 'standard');
    const disks = [{ names: diskNames(0), files, rules: NO_FAULT_RULES }];
    pair = await createPair({ binary: tools.system, timeoutMs: options.timeoutMs, disks, imageDir: dir, qcow2Options: options.shape.qcow2Options });
    const version = await queryVersion(pair.secondary.qmp);
    const result = await runTrial(pair, options.shape);
    return { record: { trial, qemuVersion: versionString(version), ...result }, version };
  } finally {
    await pair?.dispose();
    images.close();
    removeDirectory(dir);
  }
}
