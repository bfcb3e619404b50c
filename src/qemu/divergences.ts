/*
 * Documented differences between the engine and real QEMU: each entry names the QEMU versions it
 * holds for (`qemu`, a version range), the scenario file
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
  /**
   * The QEMU versions it holds for, as a version range: one version ("7.2.22") where only that one
   * was checked, or bounds (">=8.2 <10.0.13") where the commits that bring and end it are known.
   */
  readonly qemu: string;
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

type ScenarioStep = Scenario['steps'][number];

/** The scenario's read or any-op I/O faults on a node (any disk), which can fail a padding read there. */
function readFaultOn(scenario: Scenario, node: string): boolean {
  return scenario.engine.faults.some((f) => f.kind === 'io-error' && (f.node === node || f.node.startsWith(`${node}.`)) && (f.op === 'read' || f.op === 'any'));
}

/**
 * Whether an unaligned write of this step can have its padding read fail, so that QEMU writes its
 * bounce buffer (and the engine PRNG bytes) around the guest's bytes: a primary VM write always (its
 * forwarded copy is padded at the primary's replication node, which fails every read); a secondary
 * VM write when reads of the secondary disk can fail (the padding read goes down active, hidden and
 * the secondary disk); a write to a side's own disk, or the primary's local copy, when reads of
 * that disk can fail (its raw node pads: the engine's, and the QEMU backend's faulted blkdebug node).
 */
function paddingCanFail(scenario: Scenario, w: Extract<ScenarioStep, { do: 'write' | 'write-zeroes' }>): boolean {
  const target = w.node ?? 'vm';
  if (w.vm === 'primary') return target === 'vm' || readFaultOn(scenario, 'primary-disk');
  return readFaultOn(scenario, 'secondary-disk');
}

/**
 * The bytes QEMU may leave undefined before a step: around each earlier unaligned write (or write-zeroes) whose
 * padding read can fail, the rest of its first and last sectors (the guest's own bytes excluded).
 */
function undefinedBytesBefore(scenario: Scenario, stepIndex: number, disk: number): Set<number> {
  const padded = new Set<number>();
  for (const step of scenario.steps.slice(0, stepIndex)) {
    for (const w of step.do === 'concurrent' ? step.steps : [step]) {
      // A write-zeroes is a write of zeros through replication (it has no write-zeroes of its own): padded the same way.
      if ((w.do !== 'write' && w.do !== 'write-zeroes') || (w.disk ?? 0) !== disk || !paddingCanFail(scenario, w)) continue;
      const end = w.offset + w.length;
      if (w.offset % SECTOR === 0 && end % SECTOR === 0) continue;
      // A write-zeroes zeroes its own bytes in the bounce buffer only after the padding read, which
      // returns first when it fails: the guest's zeros in a padded sector are undefined too.
      const head = Math.floor(w.offset / SECTOR) * SECTOR;
      const tail = Math.ceil(end / SECTOR) * SECTOR;
      for (let b = head; b < tail; b++) {
        const guest = b >= w.offset && b < end;
        const inPaddedSector = (w.offset % SECTOR !== 0 && b < head + SECTOR) || (end % SECTOR !== 0 && b >= tail - SECTOR);
        if (!guest || (w.do === 'write-zeroes' && inPaddedSector)) padded.add(b);
      }
    }
  }
  return padded;
}

/**
 * A read's runs that differ only inside bytes some earlier padded write left undefined; for a read
 * inside a concurrent step, the writes of that step count as earlier too (it may have landed first).
 */
function differsOnlyInPadding(context: DifferenceContext, difference: Difference): boolean {
  if (difference.field !== 'runs') return false;
  const [top, sub, deeper] = difference.step.split('.').map(Number);
  if (deeper !== undefined || !Number.isInteger(top)) return false;
  const group = context.scenario.steps[top!];
  const step = sub === undefined ? group : group?.do === 'concurrent' ? group.steps[sub] : undefined;
  const index = sub === undefined ? top! : top! + 1;
  if (step === undefined || step.do !== 'read') return false;
  if (!Array.isArray(difference.engine) || !Array.isArray(difference.qemu)) return false;
  const engine = decodeRuns(difference.engine as Runs);
  const qemu = decodeRuns(difference.qemu as Runs);
  if (engine.length !== qemu.length) return false;
  const padded = undefinedBytesBefore(context.scenario, index, step.disk ?? 0);
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

/**
 * A one-shot read fault on the primary or secondary disk that an unaligned write to that disk can
 * use up on the QEMU backend: its blkdebug node pads the write (align=512) and the padding read
 * takes the fault, where the engine (and plain QEMU) do not read at all. Applies to I/O steps of
 * that side from the first such write on.
 */
function blkdebugPaddingTookFault(context: DifferenceContext, difference: Difference): boolean {
  const index = Number(difference.step.split('.')[0]);
  if (!Number.isInteger(index)) return false;
  const { scenario } = context;
  const step = scenario.steps[index];
  const members = step === undefined ? [] : step.do === 'concurrent' ? step.steps : [step];
  return (['primary-disk', 'secondary-disk'] as const).some((node) => {
    const vm = node === 'primary-disk' ? 'primary' : 'secondary';
    const oneShot = scenario.engine.faults.some((f) => f.kind === 'io-error' && f.node === node && (f.op === 'read' || f.op === 'any') && f.times === 1);
    if (!oneShot || !members.some((m) => 'vm' in m && m.vm === vm)) return false;
    return scenario.steps.slice(0, index + 1).some((s) => (s.do === 'concurrent' ? s.steps : [s]).some((w) => reachesRawUnaligned(w, node)));
  });
}

/** An unaligned write or write-zeroes that reaches the raw node of `node` as it is (not padded above it). */
function reachesRawUnaligned(w: ScenarioStep, node: 'primary-disk' | 'secondary-disk'): boolean {
  if (w.do !== 'write' && w.do !== 'write-zeroes') return false;
  if (w.offset % SECTOR === 0 && (w.offset + w.length) % SECTOR === 0) return false;
  const target = w.node ?? 'vm';
  return node === 'primary-disk' ? w.vm === 'primary' && target !== 'replication' : w.vm === 'secondary' && target === 'disk';
}

export const DIVERGENCES: readonly Divergence[] = [
  {
    id: 'unaligned-write-padding-garbage',
    kind: 'qemu-only',
    qemu: '7.2.22, 10.0.2, 10.0.13',
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
      "An unaligned write is padded to the 512-byte alignment of a replication node (or of the QEMU backend's faulted blkdebug node) with a read-modify-write, and the padding read can fail: always for the primary's forwarded copy (a primary replication node fails every read with EIO), for a secondary VM write when reading the secondary disk below active and hidden fails (gaps/secondary-unaligned-write-padding-fault.json, issue 12 D1). QEMU 7.2's bdrv_co_pwritev_part ignores bdrv_padding_rmw_read's return value and writes the padded request anyway, with the bounce buffer's uninitialised bytes around the guest's data: into the secondary disk for the primary, into the active disk for the secondary. The engine does the same (found by the differential harness; gaps/unaligned-primary-write.json checks the guest's bytes on both backends), but fills the padding with bytes from the padding node's own seeded PRNG stream (undefined-bytes/<node>): QEMU's bytes are zeros or heap garbage, different from run to run, so they cannot be reproduced, and zeros in the engine could hide a bug. This is a real QEMU 7.2 data corruption (the padding bytes no longer match the primary, or the secondary VM's own view); colosim's data model admits any byte there (ANY_BYTE in models/data) and narrows nothing it cannot see. A write-zeroes is padded the same way (replication has no write-zeroes of its own), but bdrv_co_do_zero_pwritev zeroes the guest's part of the bounce buffer only after bdrv_padding_rmw_read has read the padding, and that function returns early when the read fails: QEMU then writes the padded sectors without the guest's zeros (seen as a whole sector of an earlier read's pattern after a primary 1-byte write-zeroes at 0, on 7.2.22, 10.0.2 and 10.0.13 alike). The engine does the same (src/block/BlockNode.ts padded, BlockNodePadding.test.ts): the guest's bytes in those sectors are PRNG bytes too, or a sector's old bytes where its read succeeded before another failed; and like QEMU it reads the padding in one request when the padded request is one sector or two with both edges padded (merge_reads), and stops at the first failed read, leaving the sectors not read undefined as well. Explains a read's runs that differ only in padding bytes of earlier unaligned writes whose padding read can fail (and, for a write-zeroes, anywhere in its padded first and last sectors) (for a read inside a concurrent step, also of that step's writes, which may land before it on QEMU's parallel connections).",
    explains: differsOnlyInPadding,
  },
  {
    id: 'unaligned-secondary-write-padding-garbage',
    kind: 'qemu-only',
    qemu: '7.2.22, 10.0.2, 10.0.13',
    scenario: 'gaps/secondary-unaligned-write-padding-fault.json',
    differences: [
      {
        step: '2',
        field: 'runs',
        engineMatches: {
          description: 'the guest bytes (0x01 at 76+10), the rest of the sector PRNG bytes (not one repeated byte)',
          test: (v) => holds(v, 76, 10, 1) && runCount(v, 0, 76) > 20 && runCount(v, 86, 426) > 100,
        },
        qemuMatches: { description: 'the guest bytes (0x01 at 1100+10) are there; the rest of the sector is whatever the buffer held', test: (v) => holds(v, 76, 10, 1) },
      },
    ],
    explanation:
      "Issue 12 D1, the secondary's case of unaligned-write-padding-garbage: the replication node pads the 10-byte write at 1100 to the sector [1024, 1536) and reads it through active and hidden from the secondary disk, whose one-shot read fault fails it. QEMU 7.2 writes its bounce buffer anyway, so the active disk holds the guest's 10 bytes and 502 undefined ones (zeros and heap bytes here), and so does the secondary VM's view until the next checkpoint; the engine writes PRNG bytes from the undefined-bytes/replication-secondary stream there, which the data model admits as ANY_BYTE (the checker's padding-read-failed race).",
  },
  {
    id: 'blkdebug-align-padding',
    kind: 'qemu-only',
    qemu: '7.2.22, 10.0.2, 10.0.13',
    scenario: 'reproducer',
    reproducer: {
      colosim: 1,
      name: 'divergence/blkdebug-align-padding',
      description: 'A 1-byte primary write over a primary disk whose sector [512, 1024) fails its next read, then a read of that sector.',
      disk: { size: 262144, pattern: 90 },
      engine: { faults: [{ kind: 'io-error', node: 'primary-disk', op: 'read', errno: 'EIO', offset: 512, bytes: 512, times: 1 }] },
      steps: [
        { do: 'start', side: 'both' },
        { do: 'write', vm: 'primary', offset: 600, length: 1, pattern: 1 },
        { do: 'read', vm: 'primary', offset: 512, length: 512 },
      ],
    },
    differences: [
      { step: '2', field: 'ok', engine: false, qemu: true },
      { step: '2', field: 'errno', engine: 'EIO', qemu: undefined },
      { step: '2', field: 'runs', engine: undefined, qemuMatches: { description: 'the guest byte 0x01 at 600; the rest of the sector is what the bounce buffer held', test: (v) => holds(v, 88, 1, 1) } },
    ],
    explanation:
      "Issue 12 D2. QEMU 7.2's raw, qcow2, file and blkdebug nodes have a request alignment of 1, so a 1-byte write reaches the file as it is and reads nothing (checked with qemu-io on 7.2.22: raw over blkdebug without align, a once-only read rule on sector 1 survives a 1-byte write at 600 and fails the next read; src/qemu/alignment.test.ts). The engine's raw and qcow2 nodes pad to 512 bytes inside the node, but their padding read is the node's own store, not a request its faults see: the same behaviour. The QEMU backend puts a faulted disk under a blkdebug node with align=512, so that blkdebug's sector rules (matching a request that holds the sector's first byte) fire for every request overlapping the sector, as the engine's faults do; the price is that QEMU then pads sub-sector writes there, and the padding read takes a one-shot fault and writes the bounce buffer around the guest's byte (zeros here), while on the engine the fault is still armed for the read. Only one-shot read faults on a disk that unaligned writes reach as they are (the primary's local copy, the secondary disk's own export) show it; a persistent fault fails the padding read and the later reads alike. Explains the I/O results of that side from the first such write on.",
    explains: blkdebugPaddingTookFault,
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
 * rest, each difference on its own: a difference is explained only when some divergence's rule
 * covers that very difference (its step, field and values), never because an earlier step of the
 * scenario was explained. Consequences a divergence has (a fault used up at another moment, bytes
 * that moved on) are part of its own rule.
 */
export function explainDifferences(scenario: Scenario, engine: ResultDocument, qemu: ResultDocument, differences: readonly Difference[]): Explanation {
  const context: DifferenceContext = { scenario, engine, qemu };
  const explained: Difference[] = [];
  const unexplained: Difference[] = [];
  const explainedBy: string[] = [];
  for (const difference of differences) {
    const by = DIVERGENCES.find((d) => d.explains?.(context, difference) === true);
    if (by === undefined) unexplained.push(difference);
    else {
      explained.push(difference);
      if (!explainedBy.includes(by.id)) explainedBy.push(by.id);
    }
  }
  return { explained, unexplained, explainedBy };
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
