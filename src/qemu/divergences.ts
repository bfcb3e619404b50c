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

/** One expected difference; `qemu` is exact unless `qemuMatches` is given (non-deterministic data). */
export interface ExpectedDifference {
  readonly step: string;
  readonly field: string;
  readonly engine: unknown;
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
    const faults = context.scenario.engine.faults as readonly { readonly node?: unknown }[];
    const forwardingCanFail = faults.some((f) => typeof f.node === 'string' && /^(secondary-disk|link)(\.|$)/.test(f.node));
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

/** The first step at which QEMU answered a failed make_empty (the overlay is ejected from then on). */
function firstEjection(context: DifferenceContext): number | undefined {
  const index = context.qemu.steps.findIndex((r) => r.error?.startsWith('Failed to empty ') === true);
  return index < 0 ? undefined : index;
}

/** After an ejection, secondary I/O that QEMU fails with EINVAL (ENOMEDIUM) and the engine lets through. */
function failsAfterEjection(context: DifferenceContext, difference: Difference): boolean {
  const ejected = firstEjection(context);
  if (ejected === undefined || difference.step.includes('.')) return false;
  const index = Number(difference.step);
  const step = context.scenario.steps[index];
  const qemu = context.qemu.steps[index];
  if (index <= ejected || step === undefined || qemu === undefined) return false;
  if ((step.do !== 'read' && step.do !== 'write') || step.vm !== 'secondary') return false;
  return qemu.errno === 'EINVAL' && ['ok', 'errno', 'runs'].includes(difference.field);
}

/** The step where QEMU's secondary crashed on a stop after an ejection, if it did. */
function crashAfterEjection(context: DifferenceContext): number | undefined {
  const ejected = firstEjection(context);
  if (ejected === undefined) return undefined;
  const crash = context.qemu.steps.findIndex((r, i) => i > ejected && r.code === 'CRASH');
  if (crash < 0) return undefined;
  const step = context.scenario.steps[crash];
  const stopsSecondary = step?.do === 'stop' ? step.side === 'secondary' : step?.do === 'failover' && (step.lost ?? 'primary') === 'primary';
  return stopsSecondary ? crash : undefined;
}

/** The crash itself (compared by code only) and every later step QEMU answers SIDE_LOST for because of it. */
function crashesAfterEjection(context: DifferenceContext, difference: Difference): boolean {
  const crash = crashAfterEjection(context);
  if (crash === undefined) return false;
  const index = Number(difference.step.split('.')[0]);
  if (index === crash) return difference.field === 'code';
  const qemu = context.qemu.steps[index];
  return index > crash && (qemu?.code === 'SIDE_LOST' || qemu?.steps?.some((s) => s.code === 'SIDE_LOST') === true);
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
    kind: 'engine-bug',
    scenario: 'gaps/unaligned-primary-write-not-forwarded.json',
    differences: [
      {
        step: '3',
        field: 'runs',
        engine: [[17, 1024]],
        qemuMatches: { description: 'the write (0x22 at 1000+100) reached the secondary disk', test: (v) => holds(v, 488, 100, 0x22) },
      },
      {
        step: '7',
        field: 'runs',
        engine: [
          [17, 1536],
          [35, 512],
        ],
        qemuMatches: {
          description: 'after the checkpoint the SVM sees the forwarded write and the aligned one',
          test: (v) => holds(v, 488, 100, 0x22) && holds(v, 1536, 512, 0x23),
        },
      },
    ],
    explanation:
      "The forwarded write is padded to the replication node's 512-byte alignment, and the padding read fails (a primary replication node fails every read with EIO), as the engine says; but QEMU 7.2's bdrv_co_pwritev_part ignores bdrv_padding_rmw_read's return value and writes the padded request anyway, with the bounce buffer's uninitialised bytes around the guest's data. So the write does reach the secondary disk, and the bytes of its first and last sectors outside it are whatever the buffer held (zeros or heap garbage, different each run). The engine should forward the padded write instead of dropping it; the padding bytes cannot be compared byte for byte.",
    explains: followsFromUnalignedWrite,
  },
  {
    id: 'ejected-overlay-fails-all-io',
    kind: 'engine-bug',
    scenario: 'gaps/make-empty-failure.json',
    differences: [
      { step: '7', field: 'ok', engine: true, qemu: false },
      { step: '7', field: 'errno', engine: undefined, qemu: 'EINVAL' },
      { step: '8', field: 'ok', engine: true, qemu: false },
      { step: '8', field: 'errno', engine: undefined, qemu: 'EINVAL' },
      { step: '8', field: 'runs', engine: [[68, 65536]], qemu: undefined },
    ],
    explanation:
      "Once the failed make_empty ejected the hidden disk (bs->drv = NULL), QEMU fails every request on every node above it with ENOMEDIUM (EINVAL over NBD), not only requests that reach the hidden disk: the block layer checks bdrv_is_inserted() before each request, and bdrv_is_inserted() recurses into all children, backing files included. So the whole-cluster SVM write into active (step 7) and the read of it (step 8) fail. The same holds for the secondary disk's own exports while the backup job runs: its copy-before-write filter sits above the secondary disk and has the hidden disk as its target child. The engine only fails requests that reach the ejected node.",
    explains: failsAfterEjection,
  },
  {
    id: 'stop-with-ejected-overlay-crashes',
    kind: 'engine-bug',
    scenario: 'reproducer',
    reproducer: {
      colosim: 1,
      name: 'divergence/stop-with-ejected-hidden-crashes',
      description: "Found by colosim diff --generate (shrunk): the initial checkpoint's make_empty of hidden fails, then stop(failover=false) on the secondary.",
      disk: { size: 262144, pattern: 17 },
      engine: { faults: [{ kind: 'io-error', node: 'hidden-disk', op: 'make-empty', times: 1 }] },
      steps: [
        { do: 'start', side: 'secondary' },
        { do: 'stop', side: 'secondary', failover: false },
        { do: 'status', side: 'secondary' },
      ],
    },
    differences: [
      { step: '1', field: 'code', engine: undefined, qemu: 'CRASH' },
      { step: '2', field: 'ok', engine: true, qemu: false },
      { step: '2', field: 'error', engine: undefined, qemu: 'colosim: the secondary side is lost' },
      { step: '2', field: 'code', engine: undefined, qemu: 'SIDE_LOST' },
      { step: '2', field: 'replicationError', engine: true, qemu: undefined },
      { step: '2', field: 'desc', engine: 'I/O error occurred', qemu: undefined },
    ],
    explanation:
      'QEMU 7.2 crashes when replication stops on a secondary whose active or hidden qcow2 a failed make_empty ejected (bs->drv = NULL): stop(failover=false) with an ejected hidden disk dies of SIGSEGV, stop(failover=true) (also the failover step) with an ejected hidden disk of SIGSEGV and with an ejected active disk of SIGFPE; only stop(failover=false) with an ejected active disk survives. The engine answers these stops normally ("Backup job was cancelled unexpectedly", or ok with a failover commit); it should crash the secondary (a CRASH result, the side lost afterwards).',
    explains: crashesAfterEjection,
  },
  {
    id: 'overlay-cow-reads-whole-cluster',
    kind: 'engine-bug',
    scenario: 'reproducer',
    reproducer: {
      colosim: 1,
      name: 'divergence/partial-cluster-cow-reads-only-the-uncovered-part',
      description: 'Found by colosim diff --generate (reduced by hand): a read fault inside the written part of a cluster the SVM write allocates in active.',
      disk: { size: 262144, pattern: 17 },
      engine: { faults: [{ kind: 'io-error', node: 'secondary-disk', op: 'read', offset: 102400, bytes: 512 }] },
      steps: [
        { do: 'start', side: 'secondary' },
        { do: 'write', vm: 'secondary', offset: 70000, length: 61072, pattern: 51 },
        { do: 'read', vm: 'secondary', offset: 65536, length: 65536 },
      ],
    },
    differences: [
      { step: '1', field: 'ok', engine: false, qemu: true },
      { step: '1', field: 'errno', engine: 'EIO', qemu: undefined },
      { step: '2', field: 'ok', engine: false, qemu: true },
      { step: '2', field: 'errno', engine: 'EIO', qemu: undefined },
      {
        step: '2',
        field: 'runs',
        engine: undefined,
        qemu: [
          [17, 4464],
          [51, 61072],
        ],
      },
    ],
    explanation:
      "An allocating write that covers part of a qcow2 cluster copies only the parts of the cluster it does not cover from the backing chain (qcow2's cow_start and cow_end regions, read separately unless both exist and the data between them is at most 16 KiB, perform_cow's merge_reads); the bytes the write covers are never read. The engine's overlay reads the whole cluster, so a read fault on the secondary disk inside the written range fails the SVM's write (and, since the cluster was not allocated, the read after it), where QEMU succeeds.",
    explains: cowReadFaultInsideWrite,
  },
  {
    id: 'close-of-a-deleted-node',
    kind: 'engine-bug',
    scenario: 'reproducer',
    reproducer: {
      colosim: 1,
      name: 'divergence/close-twice',
      description: 'Closing a replication node that a close already deleted.',
      disk: { size: 262144, pattern: 17 },
      steps: [
        { do: 'close', side: 'secondary' },
        { do: 'close', side: 'secondary' },
        { do: 'close', side: 'primary' },
        { do: 'close', side: 'primary' },
      ],
    },
    differences: [
      { step: '1', field: 'ok', engine: true, qemu: false },
      { step: '1', field: 'error', engine: undefined, qemu: "Failed to find node with node-name='replication-secondary'" },
      { step: '3', field: 'ok', engine: true, qemu: false },
      { step: '3', field: 'error', engine: undefined, qemu: "Failed to find node with node-name='replication-primary'" },
    ],
    explanation:
      "close is blockdev-del, and QEMU's blockdev-del of a node that no longer exists answers \"Failed to find node with node-name='<name>'\" (a GenericError). The engine's deleteReplication returns silently when the node is already closed. With several disks and no `disk`, QEMU stops at the first such error (disks closed before it stay closed).",
    explains: (context, difference) => {
      const index = Number(difference.step.split('.')[0]);
      const qemu = context.qemu.steps[index];
      return context.scenario.steps[index]?.do === 'close' && qemu?.error?.startsWith('Failed to find node with node-name=') === true;
    },
  },
];

/** A secondary VM write QEMU completes that the engine fails, in a scenario with a read fault on the secondary disk. */
function cowReadFaultInsideWrite(context: DifferenceContext, difference: Difference): boolean {
  const index = Number(difference.step.split('.')[0]);
  const step = context.scenario.steps[index];
  const faults = context.scenario.engine.faults as readonly { readonly node?: unknown; readonly op?: unknown }[];
  const readFault = faults.some((f) => typeof f.node === 'string' && f.node.startsWith('secondary-disk') && (f.op === 'read' || f.op === 'any'));
  const qemu = context.qemu.steps[index];
  return readFault && step?.do === 'write' && step.vm === 'secondary' && (step.node ?? 'vm') === 'vm' && qemu?.ok === true && ['ok', 'errno'].includes(difference.field);
}

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
  if (actual.length !== divergence.differences.length) problems.push(`expected ${divergence.differences.length} difference(s), got ${actual.length}`);
  divergence.differences.forEach((expected, i) => {
    const got = actual[i];
    const where = `difference ${i} (step ${expected.step} ${expected.field})`;
    if (got === undefined) return void problems.push(`${where}: missing`);
    if (got.step !== expected.step || got.field !== expected.field) problems.push(`${where}: got step ${got.step} ${got.field}`);
    if (JSON.stringify(got.engine) !== JSON.stringify(expected.engine)) problems.push(`${where}: engine ${JSON.stringify(got.engine)}`);
    if (expected.qemuMatches !== undefined) {
      if (!expected.qemuMatches.test(got.qemu)) problems.push(`${where}: QEMU's ${JSON.stringify(got.qemu)} is not "${expected.qemuMatches.description}"`);
    } else if (JSON.stringify(got.qemu) !== JSON.stringify(expected.qemu)) problems.push(`${where}: qemu ${JSON.stringify(got.qemu)}`);
  });
  return problems;
}
