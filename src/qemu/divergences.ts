/*
 * Documented differences between the engine and real QEMU 7.2: each entry names the scenario file
 * and the exact differences (properties/qemuScenarios.test.ts asserts exactly these, so the test
 * fails when a divergence disappears or changes), says why, and, where the same cause can show in a
 * generated scenario, explains such differences for the differential property. An entry is added
 * only after the difference was reproduced on QEMU and explained, never to silence a failing run.
 * kind "engine-bug": reported to the lead, to be removed once the engine is fixed; "qemu-only":
 * QEMU behaviour the engine cannot or should not reproduce.
 */
import type { Scenario } from '../scenario/Scenario.js';
import type { ResultDocument, Runs } from '../scenario/StepResult.js';
import { decodeRuns } from '../scenario/runs.js';

/** A difference between the engine's result and QEMU's (the shape src/check/diffResults.ts produces). */
export interface Difference {
  readonly step: string;
  readonly field: string;
  readonly engine: unknown;
  readonly qemu: unknown;
}

/** One expected difference; each side is exact unless `engineMatches` / `qemuMatches` is given (undefined data). */
export interface ExpectedDifference {
  readonly step: string;
  readonly field: string;
  readonly engine?: unknown;
  /** For engine bytes the real system leaves undefined (PRNG bytes in the engine): what they must satisfy. */
  readonly engineMatches?: { readonly description: string; readonly test: (value: unknown) => boolean };
  readonly qemu?: unknown;
  /** For a QEMU value that varies from run to run: what it must satisfy, and in words. */
  readonly qemuMatches?: { readonly description: string; readonly test: (value: unknown) => boolean };
}

export interface Divergence {
  /** Stable id, e.g. "unaligned-write-padding-garbage". */
  readonly id: string;
  readonly kind: 'engine-bug' | 'qemu-only';
  /** The scenario file, relative to properties/scenarios/, or "reproducer" when the scenario is inline. */
  readonly scenario: string;
  /** A scenario found by the differential generator (shrunk), when no library file shows the divergence. */
  readonly reproducer?: Record<string, unknown>;
  readonly differences: readonly ExpectedDifference[];
  /** Why, with the evidence (QEMU source identifier, OBSERVATIONS.md section, command). */
  readonly explanation: string;
  /**
   * QEMU's side varies from run to run (uninitialised memory): the differences may not show at all,
   * and when they show they must be these.
   */
  readonly intermittent?: boolean;
  /** Whether this cause explains a difference seen in another (generated) scenario. */
  readonly explains?: (context: DifferenceContext, difference: Difference) => boolean;
}

export interface DifferenceContext {
  readonly scenario: Scenario;
  readonly engine: ResultDocument;
  readonly qemu: ResultDocument;
}

const SECTOR = 512;

/**
 * The bytes an unaligned primary-VM write reaches on the secondary (its sector-aligned hull: the
 * data the engine drops and the padding QEMU fills with an uninitialised buffer), before a step.
 */
function paddedBytesBefore(scenario: Scenario, stepIndex: number, disk: number): Set<number> {
  const padded = new Set<number>();
  for (const step of scenario.steps.slice(0, stepIndex)) {
    const writes = step.do === 'concurrent' ? step.steps : [step];
    for (const w of writes) {
      if (w.do !== 'write' || w.vm !== 'primary' || (w.node ?? 'vm') !== 'vm' || (w.disk ?? 0) !== disk) continue;
      const end = w.offset + w.length;
      if (w.offset % SECTOR === 0 && end % SECTOR === 0) continue;
      for (let b = Math.floor(w.offset / SECTOR) * SECTOR; b < Math.ceil(end / SECTOR) * SECTOR; b++) padded.add(b);
    }
  }
  return padded;
}

function isUnalignedPrimaryWrite(step: Scenario['steps'][number] | undefined): boolean {
  if (step?.do !== 'write' || step.vm !== 'primary' || (step.node ?? 'vm') !== 'vm') return false;
  return step.offset % SECTOR !== 0 || (step.offset + step.length) % SECTOR !== 0;
}

/**
 * What follows from QEMU forwarding an unaligned primary write the engine drops: the secondary's
 * bytes in the write's sectors; the write's own result when the quorum's local child failed (the
 * forwarded copy then carries the vote on QEMU); the primary's replication error when forwarding
 * can fail (a fault on the secondary disk or the link).
 */
function followsFromUnalignedWrite(context: DifferenceContext, difference: Difference): boolean {
  if (difference.step.includes('.')) return false;
  const index = Number(difference.step);
  const step = context.scenario.steps[index];
  if (isUnalignedPrimaryWrite(step)) return difference.field === 'ok' || difference.field === 'errno';
  const earlier = context.scenario.steps.slice(0, index).some(isUnalignedPrimaryWrite);
  if (step?.do === 'status' && step.side === 'primary' && earlier) {
    const forwardingCanFail = context.scenario.engine.faults.some((f) => 'node' in f && typeof f.node === 'string' && /^(secondary-disk|link)(\.|$)/.test(f.node));
    return forwardingCanFail && (difference.field === 'replicationError' || difference.field === 'desc');
  }
  return differsOnlyInPadding(context, difference);
}

/** A secondary read's runs differ only inside bytes some earlier unaligned primary write reached. */
function differsOnlyInPadding(context: DifferenceContext, difference: Difference): boolean {
  if (difference.field !== 'runs' || difference.step.includes('.')) return false;
  const index = Number(difference.step);
  const step = context.scenario.steps[index];
  if (step === undefined || step.do !== 'read' || step.vm !== 'secondary') return false;
  if (!Array.isArray(difference.engine) || !Array.isArray(difference.qemu)) return false;
  const engine = decodeRuns(difference.engine as Runs);
  const qemu = decodeRuns(difference.qemu as Runs);
  if (engine.length !== qemu.length) return false;
  const padded = paddedBytesBefore(context.scenario, index, step.disk ?? 0);
  for (let i = 0; i < engine.length; i++) {
    if (engine[i] !== qemu[i] && !padded.has(step.offset + i)) return false;
  }
  return true;
}

/** How many runs of equal bytes the decoded runs hold over [offset, offset + length). */
function runCount(runs: unknown, offset: number, length: number): number {
  if (!Array.isArray(runs)) return 0;
  const bytes = decodeRuns(runs as Runs).subarray(offset, offset + length);
  let n = 0;
  for (let i = 0; i < bytes.length; i++) if (i === 0 || bytes[i] !== bytes[i - 1]) n++;
  return n;
}

/** QEMU's bytes from `offset` for `length` all equal `byte` (decoded from runs). */
function holds(runs: unknown, offset: number, length: number, byte: number): boolean {
  if (!Array.isArray(runs)) return false;
  const bytes = decodeRuns(runs as Runs);
  return bytes.length >= offset + length && bytes.subarray(offset, offset + length).every((b) => b === byte);
}

export const DIVERGENCES: readonly Divergence[] = [
  {
    id: 'unaligned-write-padding-garbage',
    kind: 'qemu-only',
    scenario: 'reproducer',
    reproducer: {
      colosim: 1,
      name: 'divergence/unaligned-write-padding-bytes',
      description: 'An unaligned primary write reaches the secondary disk padded to whole sectors; the padding bytes are read back.',
      disk: { size: 1048576, pattern: 17 },
      steps: [
        { do: 'start', side: 'both' },
        { do: 'write', vm: 'primary', offset: 1000, length: 100, pattern: 34 },
        { do: 'read', vm: 'secondary', node: 'disk', offset: 512, length: 1024 },
      ],
    },
    differences: [
      {
        step: '2',
        field: 'runs',
        engineMatches: {
          description: 'the guest bytes (0x22 at 488+100), the rest of both sectors PRNG bytes (not one repeated byte)',
          test: (v) => holds(v, 488, 100, 0x22) && runCount(v, 0, 488) > 100 && runCount(v, 588, 436) > 100,
        },
        qemuMatches: { description: 'the guest bytes (0x22 at 1000+100) are there; the padding around them is whatever the buffer held', test: (v) => holds(v, 488, 100, 0x22) },
      },
    ],
    explanation:
      "The forwarded write is padded to the replication node's 512-byte alignment and the padding read fails (a primary replication node fails every read with EIO); QEMU 7.2's bdrv_co_pwritev_part ignores bdrv_padding_rmw_read's return value and writes the padded request anyway, with the bounce buffer's uninitialised bytes around the guest's data. The engine does the same (found by the differential harness; gaps/unaligned-primary-write.json checks the guest's bytes on both backends), but fills the padding with bytes from the padding node's own seeded PRNG stream: QEMU's bytes are zeros or heap garbage, different from run to run, so they cannot be reproduced, and zeros in the engine could hide a bug. This is a real QEMU 7.2 data corruption (the padding bytes of the secondary disk no longer match the primary); colosim's data model admits any byte there (ANY_BYTE in models/data) and narrows nothing it cannot see.",
    explains: followsFromUnalignedWrite,
  },
];


export interface Explanation {
  readonly explained: Difference[];
  readonly unexplained: Difference[];
  /** Ids of the divergences that explained at least one difference. */
  readonly explainedBy: string[];
}

/**
 * Split a generated scenario's differences into those a documented divergence explains and the
 * rest. The first step where the backends differ decides: when a divergence explains every
 * difference there, everything after it is its consequence too (a fault consumed at another moment,
 * a side lost to a crash, data that moved apart), so the whole scenario counts as explained.
 */
export function explainDifferences(scenario: Scenario, engine: ResultDocument, qemu: ResultDocument, differences: readonly Difference[]): Explanation {
  const context: DifferenceContext = { scenario, engine, qemu };
  if (differences.length === 0) return { explained: [], unexplained: [], explainedBy: [] };
  const firstStep = differences[0]!.step.split('.')[0];
  const first = differences.filter((d) => d.step.split('.')[0] === firstStep);
  const by = DIVERGENCES.find((d) => d.explains !== undefined && first.every((difference) => d.explains!(context, difference)));
  if (by === undefined) return { explained: [], unexplained: [...differences], explainedBy: [] };
  return { explained: [...differences], unexplained: [], explainedBy: [by.id] };
}

/** Whether `actual` (from diffResults) is exactly the divergence's list of differences. */
export function matchesDivergence(divergence: Divergence, actual: readonly Difference[]): string[] {
  const problems: string[] = [];
  if (divergence.intermittent && actual.length === 0) return problems;
  if (actual.length !== divergence.differences.length) problems.push(`expected ${divergence.differences.length} difference(s), got ${actual.length}`);
  divergence.differences.forEach((expected, i) => {
    const got = actual[i];
    const where = `difference ${i} (step ${expected.step} ${expected.field})`;
    if (got === undefined) return void problems.push(`${where}: missing`);
    if (got.step !== expected.step || got.field !== expected.field) problems.push(`${where}: got step ${got.step} ${got.field}`);
    if (expected.engineMatches !== undefined) {
      if (!expected.engineMatches.test(got.engine)) problems.push(`${where}: the engine's ${JSON.stringify(got.engine)} is not "${expected.engineMatches.description}"`);
    } else if (JSON.stringify(got.engine) !== JSON.stringify(expected.engine)) problems.push(`${where}: engine ${JSON.stringify(got.engine)}`);
    if (expected.qemuMatches !== undefined) {
      if (!expected.qemuMatches.test(got.qemu)) problems.push(`${where}: QEMU's ${JSON.stringify(got.qemu)} is not "${expected.qemuMatches.description}"`);
    } else if (JSON.stringify(got.qemu) !== JSON.stringify(expected.qemu)) problems.push(`${where}: qemu ${JSON.stringify(got.qemu)}`);
  });
  return problems;
}
