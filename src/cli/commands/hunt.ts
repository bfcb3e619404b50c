/*
 * `colosim hunt [--qemu DIR]... [--trials N] [--clusters N] [--writes N] [--disk-mib N]
 * [--before-reply] [--qcow2-options LIST] [--scenario-out FILE] [--json]`: repeats issue 12's
 * failover shape on real QEMU (src/qemu/hunt/) and counts acknowledged secondary writes missing from
 * the secondary disk once the commit is DONE. With several --qemu the builds alternate trial by
 * trial. Exit 1 when any write was lost (violation no-lost-acknowledged-write), 0 when none, 2 for
 * bad arguments, 3 when QEMU is missing or fails (no verdict).
 */
import type { Command } from 'commander';
import { writeFileSync } from 'node:fs';
import { QemuAdapterError } from '../../qemu/QemuAdapterError.js';
import { DEFAULT_QEMU_TIMEOUT_MS } from '../../qemu/QemuBackend.js';
import { QEMU_DIR_ENV, resolveQemuTools } from '../../qemu/QemuTools.js';
import { type HuntTrialRecord, type HuntVersionTotals, hunt } from '../../qemu/hunt/Hunt.js';
import { DEFAULT_HUNT_SHAPE, DEFAULT_QCOW2_OPTIONS, formatQcow2Options, type HuntShape, parseQcow2Options } from '../../qemu/hunt/HuntShape.js';
import { huntScenario } from '../../qemu/hunt/huntScenario.js';
import { parseInteger } from '../args.js';
import { CliError, ExitCode } from '../ExitCode.js';
import { collect } from './diff.js';

export const LOST_WRITE_VIOLATION = 'no-lost-acknowledged-write';

interface HuntArgs {
  readonly qemu: readonly string[];
  readonly trials: string;
  readonly clusters: string;
  readonly writes: string;
  readonly diskMib: string;
  readonly beforeReply?: boolean;
  readonly qcow2Options: string;
  readonly scenarioOut?: string;
  readonly json?: boolean;
}

export function registerHunt(program: Command, setExitCode: (code: number) => void): void {
  program
    .command('hunt')
    .description('repeat the failover shape of issue 12 on real QEMU and count acknowledged writes lost by the commit')
    .option('--qemu <dir>', `QEMU to run (prefix or bin dir; default $${QEMU_DIR_ENV} or PATH); repeat to alternate several`, collect, [])
    .option('--trials <n>', 'trials per QEMU', '20')
    .option('--clusters <n>', 'clusters the primary writes before failover', String(DEFAULT_HUNT_SHAPE.primaryClusters))
    .option('--writes <n>', 'distinct secondary writes after failover', String(DEFAULT_HUNT_SHAPE.secondaryWrites))
    .option('--disk-mib <n>', 'disk size in MiB', String(DEFAULT_HUNT_SHAPE.diskSizeBytes / 1024 / 1024))
    .option('--before-reply', 'send the secondary writes right after the failover command, before its reply')
    .option('--qcow2-options <list>', "active/hidden qcow2 runtime options ('' for QEMU's defaults)", DEFAULT_QCOW2_OPTIONS)
    .option('--scenario-out <file>', 'when a write is lost, write the shape as a scenario file there')
    .option('--json', 'print the totals and every trial as JSON')
    .action(async (args: HuntArgs) => {
      const shape = shapeOf(args);
      const trials = integer('--trials', args.trials, 1, 100_000);
      const targets = (args.qemu.length === 0 ? [undefined] : args.qemu).map((dir) => ({ from: dir ?? process.env[QEMU_DIR_ENV] ?? 'PATH', tools: tools(dir) }));
      const json = args.json === true;
      let totals: HuntVersionTotals[];
      try {
        totals = await hunt({ targets, shape, trials, timeoutMs: Math.max(DEFAULT_QEMU_TIMEOUT_MS, 30_000), onTrial: json ? undefined : printTrial });
      } catch (error) {
        if (error instanceof QemuAdapterError) throw new CliError(`hunt: no verdict: ${error.message}`, ExitCode.Qemu);
        throw error;
      }
      const lost = totals.some((t) => t.lost > 0);
      if (lost && args.scenarioOut !== undefined) writeScenario(args.scenarioOut, shape, totals, trials);
      process.stdout.write(json ? `${JSON.stringify({ shape, trials, violation: lost ? LOST_WRITE_VIOLATION : null, versions: totals }, null, 1)}\n` : summary(shape, totals));
      setExitCode(lost ? ExitCode.Violation : ExitCode.Ok);
    });
}

function shapeOf(args: HuntArgs): HuntShape {
  let qcow2Options;
  try {
    qcow2Options = parseQcow2Options(args.qcow2Options);
  } catch (error) {
    throw new CliError(`hunt: --qcow2-options: ${(error as Error).message}`, ExitCode.Usage);
  }
  const diskSizeBytes = integer('--disk-mib', args.diskMib, 1, 1024 * 1024) * 1024 * 1024;
  const primaryClusters = integer('--clusters', args.clusters, 0, 10_000_000);
  const secondaryWrites = integer('--writes', args.writes, 1, 255);
  const shape = { diskSizeBytes, primaryClusters, secondaryWrites, beforeReply: args.beforeReply === true, qcow2Options };
  if (primaryClusters * 2 * 64 * 1024 > diskSizeBytes) throw new CliError(`hunt: --clusters ${primaryClusters} do not fit a ${args.diskMib} MiB disk (every other 64 KiB cluster is written)`, ExitCode.Usage);
  if (secondaryWrites * 2 * 64 * 1024 > diskSizeBytes) throw new CliError(`hunt: --writes ${secondaryWrites} do not fit a ${args.diskMib} MiB disk`, ExitCode.Usage);
  return shape;
}

function tools(dir: string | undefined): ReturnType<typeof resolveQemuTools> {
  try {
    return resolveQemuTools(dir);
  } catch (error) {
    if (error instanceof QemuAdapterError) throw new CliError(`hunt: ${error.message}`, ExitCode.Qemu);
    throw error;
  }
}

function printTrial(_total: HuntVersionTotals, r: HuntTrialRecord): void {
  const where = r.lost === 0 ? '' : ` at ${r.lostOffsets.join(', ')}`;
  process.stdout.write(`trial ${r.trial} QEMU ${r.qemuVersion}: ${r.lost}/${r.written} acknowledged writes lost${where} (commit ${r.commitMs} ms)\n`);
}

function summary(shape: HuntShape, totals: readonly HuntVersionTotals[]): string {
  const lines = [
    `shape: ${shape.diskSizeBytes / 1024 / 1024} MiB disk, ${shape.primaryClusters} primary clusters, ${shape.secondaryWrites} secondary writes ${shape.beforeReply ? 'before' : 'after'} the failover reply, qcow2 ${formatQcow2Options(shape.qcow2Options) || 'defaults'}`,
  ];
  for (const t of totals) {
    const verdict = t.lost > 0 ? `violation ${LOST_WRITE_VIOLATION}` : 'no write lost';
    lines.push(`QEMU ${t.qemuVersion} (${t.qemuPackage || t.from}): ${t.trialsWithLoss}/${t.trials} trials lost data, ${t.lost}/${t.written} acknowledged writes lost: ${verdict}`);
  }
  return `${lines.join('\n')}\n`;
}

function writeScenario(path: string, shape: HuntShape, totals: readonly HuntVersionTotals[], trials: number): void {
  const lossy = totals.filter((t) => t.lost > 0).map((t) => t.qemuVersion);
  const clean = totals.filter((t) => t.lost === 0).map((t) => t.qemuVersion);
  const counts = totals.map((t) => `${t.qemuVersion} ${t.trialsWithLoss}/${t.trials} trials, ${t.lost}/${t.written} lost`).join('; ');
  const note = { versions: `lost on ${lossy.join(', ')}${clean.length === 0 ? '' : `; not on ${clean.join(', ')}`}`, found: `colosim hunt, ${trials} trial(s) per QEMU: ${counts}` };
  try {
    writeFileSync(path, `${JSON.stringify(huntScenario('qemu-lost-write-at-failover', shape, note), null, 1)}\n`);
  } catch (error) {
    throw new CliError(`hunt: cannot write ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`, ExitCode.Output);
  }
}

function integer(flag: string, text: string, min: number, max: number): number {
  const value = parseInteger(text, min, max);
  if (value === undefined) throw new CliError(`hunt: ${flag} must be an integer from ${min} to ${max}, got "${text}"`, ExitCode.Usage);
  return value;
}
