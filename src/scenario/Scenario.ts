/*
 * The scenario file: colosim's public contract. One JSON document names a disk, a profile and a
 * list of steps that mirror QEMU's commands and guest I/O; every backend (the TypeScript engine,
 * real QEMU) runs the same file and answers with the same result document (StepResult.ts).
 * Fields marked "extension" are colosim's own and documented in README.md.
 */
import type { ProfileName } from '../replication/Profile.js';
import type { Fault } from '../sim/FaultPlan.js';

export type Side = 'primary' | 'secondary';
export type SideOrBoth = Side | 'both';
export type Profile = ProfileName;

export const PROFILES: readonly Profile[] = ['qemu-7.2', 'qemu-10.0.2', 'v24'];
export const DEFAULT_DISK_SIZE_BYTES = 1048576;
/**
 * The largest disk the engine takes: 4 TiB (2^42). Offsets stay exact numbers, and the overlay's
 * block status walks unallocated space cluster by cluster (a failover on 64 TiB takes about a
 * minute); QEMU's raw and qcow2 allow more.
 */
export const MAX_DISK_SIZE_BYTES = 2 ** 42;
/**
 * The longest read or write inside the disk the engine takes: it holds a request's bytes in one
 * buffer (QEMU's NBD client splits a long request into 32 MiB pieces instead). A request reaching
 * past the end is still the NBD server's to refuse, with EINVAL, however long it is.
 */
export const MAX_IO_BYTES = 256 * 1024 * 1024;
export const SCENARIO_FORMAT_VERSION = 1;

export interface DiskSpec {
  /** Virtual size in bytes, a multiple of 512. */
  readonly size: number;
  /** Extension: the byte both disks hold before replication starts (default 0). */
  readonly pattern: number;
}

export interface StartStep {
  readonly do: 'start';
  readonly side: SideOrBoth;
  /** Extension: the mode passed to start, when it differs from the side's role (mode-mismatch tests). */
  readonly mode?: Side;
}
export interface StopStep {
  readonly do: 'stop';
  readonly side: Side;
  readonly failover: boolean;
}
export interface CheckpointStep {
  readonly do: 'checkpoint';
  readonly side: SideOrBoth;
}
export interface StatusStep {
  readonly do: 'status';
  readonly side: Side;
}
/**
 * Extension: where guest-like I/O enters a side. "vm" (default): the VM's disk (the primary's quorum,
 * the secondary's replication node); "replication": the side's replication node itself (as QEMU's
 * test-replication does); "disk": the side's own disk (the primary's local disk; the secondary disk,
 * entering above it like the primary's forwarded writes do).
 */
export type IoTarget = 'vm' | 'replication' | 'disk';
export const IO_TARGETS: readonly IoTarget[] = ['vm', 'replication', 'disk'];

export interface WriteStep {
  readonly do: 'write';
  readonly vm: Side;
  readonly offset: number;
  readonly length: number;
  readonly pattern: number;
  /** Extension: which replicated disk (default 0). */
  readonly disk?: number;
  readonly node?: IoTarget;
}
export interface ReadStep {
  readonly do: 'read';
  readonly vm: Side;
  readonly offset: number;
  readonly length: number;
  readonly disk?: number;
  readonly node?: IoTarget;
}
/**
 * Guest write-zeroes (NBD_CMD_WRITE_ZEROES): the range reads as zeros afterwards. Without `unmap`
 * the client asks to keep the space allocated (NBD_CMD_FLAG_NO_HOLE); with it the block layer may
 * deallocate. Neither changes what reads return.
 */
export interface WriteZeroesStep {
  readonly do: 'write-zeroes';
  readonly vm: Side;
  readonly offset: number;
  readonly length: number;
  readonly unmap?: boolean;
  readonly disk?: number;
  readonly node?: IoTarget;
}
/** Guest discard (NBD_CMD_TRIM): a hint that the range is unused; QEMU may drop it, and here it does (README). */
export interface DiscardStep {
  readonly do: 'discard';
  readonly vm: Side;
  readonly offset: number;
  readonly length: number;
  readonly disk?: number;
  readonly node?: IoTarget;
}
/** Guest flush (NBD_CMD_FLUSH): everything written before is made stable on every layer below. */
export interface FlushStep {
  readonly do: 'flush';
  readonly vm: Side;
  readonly disk?: number;
  readonly node?: IoTarget;
}
export interface FailoverStep {
  readonly do: 'failover';
  /** Extension: which side is lost (default primary: the secondary takes over). */
  readonly lost?: Side;
}
/** Extension: let simulated time pass (the engine only; a no-op on QEMU). */
export interface WaitStep {
  readonly do: 'wait';
  readonly ticks: number;
}
/** Extension: the liveness phase begins: from here on no fault of the plan fires (the engine only). */
export interface HealStep {
  readonly do: 'heal';
}
/** Extension: close (delete) the replication node(s) of one side, as drive_del / blockdev-del would. */
export interface CloseStep {
  readonly do: 'close';
  readonly side: Side;
  readonly disk?: number;
}
/** Extension: run several steps at once; the schedule decides how their I/O interleaves. */
export interface ConcurrentStep {
  readonly do: 'concurrent';
  readonly steps: readonly Step[];
}

export type Step =
  | StartStep
  | StopStep
  | CheckpointStep
  | StatusStep
  | WriteStep
  | ReadStep
  | WriteZeroesStep
  | DiscardStep
  | FlushStep
  | FailoverStep
  | WaitStep
  | CloseStep
  | HealStep
  | ConcurrentStep;

export type StepKind = Step['do'];

export const STEP_KINDS: readonly StepKind[] = [
  'start',
  'stop',
  'checkpoint',
  'status',
  'write',
  'read',
  'write-zeroes',
  'discard',
  'flush',
  'failover',
  'wait',
  'close',
  'heal',
  'concurrent',
];

/** A step as written in the file: the step plus the results it expects and a note for readers (optional). */
export type ScenarioStep = Step & { readonly expect?: ExpectedResult; readonly note?: string };

export interface ExpectedResult {
  readonly ok?: boolean;
  readonly error?: string;
  readonly code?: string;
  readonly errno?: string;
  readonly runs?: readonly (readonly [number, number])[];
  readonly replicationError?: boolean;
  readonly desc?: string;
}

/**
 * Extension: how the secondary's chain is built, to reach start's validation errors (reference §2.6).
 * "standard" is the working chain; each other variant breaks exactly one requirement.
 */
export type ChainVariant =
  | 'standard'
  | 'active-without-backing'
  | 'hidden-without-backing'
  | 'secondary-without-backend'
  | 'active-length-differs'
  | 'active-without-make-empty'
  | 'top-id-unknown';
export const CHAIN_VARIANTS: readonly ChainVariant[] = [
  'standard',
  'active-without-backing',
  'hidden-without-backing',
  'secondary-without-backend',
  'active-length-differs',
  'active-without-make-empty',
  'top-id-unknown',
];

/** Where a counterexample came from: enough to rerun the campaign case and to check a replay. */
export interface Origin {
  readonly campaignSeed: number;
  readonly case: number;
  readonly caseSeed: number;
  readonly invariant: string;
  readonly kind: string;
  readonly step: number;
  readonly message: string;
  /** The trace hash the failing run had; a replay must give the same. */
  readonly traceHash: string;
  /** The command line that ran the campaign. */
  readonly command: string;
  /** An engine-error's stack where the exception was thrown (for readers; a replay does not compare it). */
  readonly stack?: string;
}

export interface Scenario {
  readonly colosim: 1;
  readonly name: string;
  /** What the scenario shows, for readers. */
  readonly description?: string;
  /** Extension: set on counterexamples a campaign wrote. */
  readonly origin?: Origin;
  readonly disk: DiskSpec;
  readonly chain: ChainVariant;
  /** Extension: how many replicated disks each side has (default 1). */
  readonly disks: number;
  readonly profile: Profile;
  /** Extension: engine-only settings (faults, schedule, timing); QEMU ignores what it cannot express. */
  readonly engine: EngineSettings;
  readonly steps: readonly ScenarioStep[];
}

export interface EngineSettings {
  readonly seed: number;
  readonly schedule: ScheduleSpec;
  readonly timing: TimingSpec;
  readonly faults: readonly Fault[];
}

export type ScheduleSpec =
  | { readonly policy: 'fifo' }
  | { readonly policy: 'random' }
  /**
   * The nth scheduling decision takes choices[n] (an index into the ready list), FIFO past the end.
   * Strict (the default) fails on a choice that does not fit, so a recorded schedule that drifts is
   * caught; lenient takes it modulo the ready list, so generated and shrunk choices always fit.
   */
  | { readonly policy: 'replay'; readonly choices: readonly number[]; readonly lenient?: boolean };

export interface TimingSpec {
  /** Latency of every disk I/O, in ticks (nanoseconds). */
  readonly diskLatencyTicks: number;
  /** One-way latency of the primary-to-secondary link, in ticks. */
  readonly linkLatencyTicks: number;
  /** How many bytes the failover commit copies per iteration. */
  readonly commitChunkBytes: number;
  /** Simulated time the commit waits between iterations, in ticks. */
  readonly commitPaceTicks: number;
  /**
   * Simulated time the commit's start-up scan (mirror_dirty_init's block-status walk) spends on each
   * allocated cluster, in ticks (default 0: the image's metadata is cached). QEMU's scan is slower
   * with a small qcow2 L2 cache; guest writes arriving meanwhile meet the start-up window of 8.2-10.0.12.
   */
  readonly commitScanTicksPerCluster?: number;
}

export const DEFAULT_TIMING: TimingSpec = {
  diskLatencyTicks: 0,
  linkLatencyTicks: 0,
  commitChunkBytes: 1048576,
  commitPaceTicks: 0,
};
