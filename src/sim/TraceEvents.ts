/*
 * The contract between the engine and its checkers: every kind of trace event and its typed fields,
 * defined once here (the lowest layer that emits), used by every emitter through Trace.emit and by
 * every checker through exhaustive switches. Renaming a field or misspelling a kind fails to
 * compile instead of silently emptying a check. An event about a guest request carries `req`, the
 * id minted where the request entered (SimEnv.requestId), so a checker correlates by identity.
 * Field order is the emitters' order (the hash and the JSON lines follow it); `req` comes last.
 * Limits: stage and mode names repeat the replication layer's (which this layer cannot import);
 * the compiler keeps them in step, since the engine's values must be assignable to these.
 */
import type { Errno } from './errno.js';
import type { IoOp } from './FaultPlan.js';

export type TraceSide = 'primary' | 'secondary';
export type TraceStage = 'NONE' | 'RUNNING' | 'FAILOVER' | 'FAILOVER_FAILED' | 'DONE';
/** The replication operations of ReplicationOps, as traced. */
export type TraceReplicationOp = 'start' | 'checkpoint' | 'get_error' | 'stop' | 'close';
export type TraceJobEvent = 'start' | 'checkpoint' | 'completed' | 'failed' | 'cancelled' | 'aborted';

/** A fault that fired: its index in the plan, its kind, and where it struck. */
export type FaultTraceFields = { readonly fault: number } & (
  | {
      readonly kind: 'io-error';
      readonly node: string;
      readonly op: IoOp;
      readonly offset: number;
      readonly bytes: number;
      readonly errno: Errno;
      /** The guest request the failed I/O served, if any. */
      readonly req?: number;
    }
  | { readonly kind: 'link-drop'; readonly link: string }
  | { readonly kind: 'crash'; readonly point: string }
  | { readonly kind: 'job-fail'; readonly job: 'backup' | 'commit'; readonly node: string }
);

/**
 * Every event kind and its fields. Object types, not interfaces, so that an event's fields stay
 * assignable to the TraceFields record the hash and the JSON line walk.
 */
export type TraceEventFields = {
  /** A scenario step begins (runScenarioOnEngine). */
  readonly step: { readonly index: number; readonly do: string };
  /** A scenario step ended, with its result. */
  readonly 'step-result': { readonly index: number; readonly ok: boolean; readonly error?: string; readonly errno?: string; readonly code?: string };
  /**
   * A guest request entered (the scenario runner's read, write, write-zeroes, discard or flush step
   * `step`, member `member` of a concurrent group): every later event it causes carries its `req`.
   * A flush has no range (offset and bytes 0).
   */
  readonly request: {
    readonly req: number;
    readonly step: number;
    readonly member: number | undefined;
    readonly op: 'read' | 'write' | 'write-zeroes' | 'discard' | 'flush';
    readonly vm: TraceSide;
    /** Where it entered: the VM's disk, the replication node itself, or the side's own disk. */
    readonly target: 'vm' | 'replication' | 'disk';
    readonly disk: number;
    readonly offset: number;
    readonly bytes: number;
  };
  /**
   * A guest request was answered: the scenario runner's call for request `req` returned (`ok`) or
   * failed (`errno` when it failed with one). What the guest saw, and when: a node that answers
   * before its children did (quorum waits for every child) shows as this event coming too early.
   */
  readonly reply: { readonly req: number; readonly ok: boolean; readonly errno?: string };
  /** A leaf driver (raw, qcow2-like overlay) did I/O; `req` when a guest request caused it. */
  readonly io: { readonly node: string; readonly op: IoOp; readonly offset: number; readonly bytes: number; readonly req?: number };
  /** A node lost its driver (bs->drv = NULL). */
  readonly eject: { readonly node: string };
  /** Reading an unaligned write's edge sector failed; the write goes on (QEMU 7.2). */
  readonly 'pad-read-failed': { readonly node: string; readonly offset: number; readonly bytes: number; readonly errno: Errno; readonly req?: number };
  /** A replication node changed stage. */
  readonly stage: { readonly node: string; readonly mode: TraceSide; readonly from: TraceStage; readonly to: TraceStage };
  /** A replication operation began (it takes effect now, reports when it ends). */
  readonly 'repl-op-begin': { readonly node: string; readonly op: TraceReplicationOp };
  /** A replication operation ended: `stage` when it began, `error` the exact message when it failed. */
  readonly 'repl-op': {
    readonly node: string;
    readonly mode: TraceSide;
    readonly op: TraceReplicationOp;
    readonly arg: string | boolean | undefined;
    readonly stage: TraceStage;
    readonly ok: boolean;
    readonly error?: string;
  };
  /**
   * A guest request through a replication node: `stage` when it was decided, `result` as the caller
   * sees it (ok, swallowed, an errno, crash), `lower` whether it reached the file child.
   */
  readonly 'repl-io': {
    readonly node: string;
    readonly mode: TraceSide;
    readonly op: 'read' | 'write';
    readonly offset: number;
    readonly bytes: number;
    readonly stage: TraceStage;
    readonly result: string;
    readonly lower: 'none' | 'ok' | 'failed';
    /** Set when a write that succeeded was split by allocation (FAILOVER_FAILED); absent: through the file child. */
    readonly route?: 'split';
    readonly req?: number;
  };
  /** The primary's quorum voted on a write: each child's errno or "ok", in child order. */
  readonly 'quorum-write': { readonly node: string; readonly offset: number; readonly bytes: number; readonly children: string; readonly req?: number };
  /** The secondary's NBD server carried out a forwarded write (its reply may still be lost). */
  readonly 'nbd-applied': { readonly node: string; readonly op: 'write'; readonly offset: number; readonly bytes: number; readonly req?: number };
  /** The backup job took a cluster off its bitmap and begins copying it (in `epoch`), for the write `req`. */
  readonly 'cow-begin': { readonly job: string; readonly cluster: number; readonly epoch: number; readonly req?: number };
  /** The backup job copied one cluster into hidden; `req` is the write that caused the copy. */
  readonly cow: { readonly job: string; readonly cluster: number; readonly offset: number; readonly bytes: number; readonly epoch: number; readonly req?: number };
  /**
   * The failover commit copied a chunk into the secondary disk; `reqs` lists (comma-separated, in
   * arrival order) the guest requests whose writes dirtied it while the commit ran.
   */
  readonly 'commit-copy': { readonly job: string; readonly offset: number; readonly bytes: number; readonly reqs?: string };
  /** A block job's life: started, re-armed at a checkpoint, ended (and how). */
  readonly job: { readonly job: string; readonly owner: string; readonly event: TraceJobEvent; readonly errno?: string; readonly copied?: number };
  readonly fault: FaultTraceFields;
  /** A QEMU process ended. */
  readonly side: { readonly side: TraceSide; readonly event: 'lost' | 'crashed'; readonly reason?: string; readonly injected?: boolean };
  /** A QMP command began or ended on one side. */
  readonly command: { readonly side: TraceSide; readonly command: string; readonly event: 'begin' | 'end'; readonly ok?: boolean };
};

export type TraceKind = keyof TraceEventFields;

/** One event of kind K, stamped with its sequence number and simulated tick. */
export type TraceEventOf<K extends TraceKind> = {
  readonly seq: number;
  readonly tick: number;
  readonly kind: K;
  readonly fields: TraceEventFields[K];
};

/** Any event: switch on `kind` and the fields are typed. */
export type TypedTraceEvent = { [K in TraceKind]: TraceEventOf<K> }[TraceKind];

/** Keys the JSON line of an event uses for its envelope; no field may take one of them. */
export type EnvelopeKey = 'seq' | 't' | 'k';
type FieldKeys = { [K in TraceKind]: keyof TraceEventFields[K] }[TraceKind] | keyof FaultTraceFields;
/** Compile-time guard: a field named like an envelope key would overwrite it in serializeEvent. */
export const NO_FIELD_IS_AN_ENVELOPE_KEY: [Extract<FieldKeys, EnvelopeKey>] extends [never] ? true : never = true;

/** For the default of an exhaustive switch over event kinds: a new kind fails to compile there. */
export function unhandledEvent(event: never): never {
  throw new Error(`unhandled trace event ${JSON.stringify(event)}`);
}
