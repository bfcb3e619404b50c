/*
 * Faults as data: what goes wrong, where and when, decided before or during a run from the seed,
 * never by engine code on its own. The block layer, the link, the jobs and the pair consult a
 * FaultInjector (FaultInjector.ts) at explicit fault points; this file only defines and validates
 * the plan. Node names are the pair's node names ("secondary-disk", "hidden-disk.1", "link", ...);
 * whether a name exists depends on the scenario's disks, so src/scenario/faultTargets.ts checks it.
 */
import { FieldReader, compact } from '../util/FieldReader.js';
import { type Errno, ERRNO_NAMES } from './errno.js';

export type IoOp = 'read' | 'write' | 'write-zeroes' | 'flush' | 'make-empty';
export const IO_OPS: readonly IoOp[] = ['read', 'write', 'write-zeroes', 'flush', 'make-empty'];

/** An I/O error on a node: by byte range, by the nth matching operation, from a tick on. */
export interface IoErrorFault {
  readonly kind: 'io-error';
  readonly node: string;
  /** "any": read, write, write-zeroes and flush; make-empty only when named. */
  readonly op: IoOp | 'any';
  readonly errno: Errno;
  /** Only requests overlapping [offset, offset + bytes) match (default: the whole disk). */
  readonly offset?: number;
  readonly bytes?: number;
  /** Let this many matching operations pass before the fault fires (default 0: the first). */
  readonly afterOps?: number;
  /** Fire only from this tick on. */
  readonly fromTick?: number;
  /** How many times it fires (default: every time from then on, i.e. persistent). */
  readonly times?: number;
}

/** Extra latency on a node's operations. */
export interface LatencyFault {
  readonly kind: 'latency';
  readonly node: string;
  readonly op: IoOp | 'any';
  readonly ticks: number;
  readonly fromTick?: number;
  readonly untilTick?: number;
}

/** The primary-to-secondary link drops: every request from then on fails (NBD without reconnect). */
export interface LinkDropFault {
  readonly kind: 'link-drop';
  readonly link: string;
  /**
   * Drop after this many requests went through (default 0): the next request fails, and so does the
   * reply of any request still out. Requests count from `fromTick` on, once each.
   */
  readonly afterOps?: number;
  /** Not before this tick: a request out at that tick loses its reply. */
  readonly fromTick?: number;
}

/** A side crashes (its process is lost) at a named crash point, after it was hit some times. */
export interface CrashFault {
  readonly kind: 'crash';
  readonly point: string;
  readonly afterHits?: number;
}

/**
 * A replication-internal job fails by itself: the backup job ends (QEMU reports it through
 * get_error), or the failover commit fails part way (FAILOVER_FAILED, with a partial copy).
 */
export interface JobFailFault {
  readonly kind: 'job-fail';
  readonly job: 'backup' | 'commit';
  /** The replication node whose job fails (default: any). */
  readonly node?: string;
  /** Let the job do this many units of work first: copies-before-write, or commit chunks (default 0). */
  readonly afterOps?: number;
}

export type Fault = IoErrorFault | LatencyFault | LinkDropFault | CrashFault | JobFailFault;
export type FaultKind = Fault['kind'];
export const FAULT_KINDS: readonly FaultKind[] = ['io-error', 'latency', 'link-drop', 'crash', 'job-fail'];

export class FaultPlanError extends Error {
  readonly code = 'BAD_FAULT';
}

const failPlan = (message: string): Error => new FaultPlanError(message);
const OPS_OR_ANY = [...IO_OPS, 'any'] as const;

/** Validate a plan read from JSON; the message names the fault and the field. */
export function parseFaultPlan(raw: unknown, where = 'faults'): Fault[] {
  if (raw === undefined) return [];
  if (!Array.isArray(raw)) throw new FaultPlanError(`${where}: must be an array of faults`);
  return raw.map((item, i) => parseFault(item, `${where}[${i}]`));
}

function parseFault(raw: unknown, where: string): Fault {
  const f = FieldReader.of(raw, where, failPlan);
  const kind = f.oneOf('kind', FAULT_KINDS);
  const fault = readFault(kind, f);
  f.finish();
  return compact(fault);
}

function readFault(kind: FaultKind, f: FieldReader): Fault {
  switch (kind) {
    case 'io-error':
      return {
        kind,
        node: f.string('node'),
        op: f.oneOf('op', OPS_OR_ANY, 'any'),
        errno: f.oneOf('errno', ERRNO_NAMES, 'EIO'),
        offset: f.optInt('offset'),
        bytes: f.optInt('bytes', 1),
        afterOps: f.optInt('afterOps'),
        fromTick: f.optInt('fromTick'),
        times: f.optInt('times', 1),
      };
    case 'latency':
      return {
        kind,
        node: f.string('node'),
        op: f.oneOf('op', OPS_OR_ANY, 'any'),
        ticks: f.int('ticks'),
        fromTick: f.optInt('fromTick'),
        untilTick: f.optInt('untilTick'),
      };
    case 'link-drop':
      return { kind, link: f.string('link'), afterOps: f.optInt('afterOps'), fromTick: f.optInt('fromTick') };
    case 'crash':
      return { kind, point: f.string('point'), afterHits: f.optInt('afterHits') };
    case 'job-fail':
      return { kind, job: f.oneOf('job', ['backup', 'commit'] as const, 'backup'), node: f.optString('node'), afterOps: f.optInt('afterOps') };
  }
}
