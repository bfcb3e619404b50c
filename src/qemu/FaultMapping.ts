/*
 * Which of a scenario's engine faults real QEMU can reproduce, and how: an io-error fault becomes
 * blkdebug inject-error rules (event "none", so they are armed from the moment the node opens) on a
 * blkdebug node with align=512 placed above the raw primary/secondary disk or above the NBD client
 * (the link), where offsets are guest offsets. A make-empty fault on the active/hidden qcow2 becomes
 * a rule on a blkdebug node below the qcow2 that qcow2's own "empty_image_prepare" event arms (an
 * event only make_completely_empty raises, just before the write-zeroes that wipe the refcount
 * structures); blkdebug states count those events, which expresses afterOps and times. Everything
 * else is reported as skipped with a reason; a skip that would change results (anything but latency)
 * is "blocking" and the backend then does not run the scenario at all (QemuBackend.ts).
 * Limits: blkdebug matches a rule by one sector, so a range becomes one rule per 512-byte sector
 * (at most MAX_RULES_PER_FAULT) and "fire once" only works for a single sector or the whole disk.
 */
import { ERRNO_NUMBERS } from '../sim/errno.js';
import type { Fault, IoErrorFault } from '../sim/FaultPlan.js';
import type { SkippedItem } from '../scenario/StepResult.js';

/** The engine's node names, without the ".N" disk suffix. */
export type EngineNode = 'primary-disk' | 'secondary-disk' | 'hidden-disk' | 'active-disk' | 'link';
const ENGINE_NODES: readonly EngineNode[] = ['primary-disk', 'secondary-disk', 'hidden-disk', 'active-disk', 'link'];
const MAX_RULES_PER_FAULT = 4096;
const SECTOR_BYTES = 512;

/** One blkdebug inject-error rule, in blockdev-add's spelling. */
export interface BlkdebugRule {
  readonly event: 'none' | typeof MAKE_EMPTY_EVENT;
  readonly iotype?: 'read' | 'write' | 'write-zeroes' | 'flush';
  readonly errno: number;
  readonly sector?: number;
  readonly once?: boolean;
  /** Only while blkdebug is in this state (states start at 1). */
  readonly state?: number;
}

/** A blkdebug set-state rule: on `event` in `state`, go to `new_state`. */
export interface BlkdebugSetState {
  readonly event: typeof MAKE_EMPTY_EVENT;
  readonly state: number;
  readonly new_state: number;
}

/** What a blkdebug node gets: inject-error rules and set-state rules (told apart by `new_state`). */
export type BlkdebugEntry = BlkdebugRule | BlkdebugSetState;

export function isSetState(entry: BlkdebugEntry): entry is BlkdebugSetState {
  return 'new_state' in entry;
}

/** Raised by qcow2's make_completely_empty on its file child, and by nothing else. */
export const MAKE_EMPTY_EVENT = 'empty_image_prepare';


/** Rules per QEMU placement, keyed by `${node}:${disk}` (see rulesFor). */
export interface FaultLayout {
  readonly rules: ReadonlyMap<string, readonly BlkdebugEntry[]>;
  /** Every fault QEMU does not reproduce. */
  readonly skipped: readonly SkippedItem[];
  /** The skipped faults whose absence changes results (all but latency): the scenario cannot run. */
  readonly blocking: readonly SkippedItem[];
}

export function rulesFor(layout: FaultLayout, node: EngineNode, disk: number): readonly BlkdebugEntry[] {
  return layout.rules.get(`${node}:${disk}`) ?? [];
}

/** Split a plan into blkdebug rules and skipped faults. `faults` is the scenario's engine.faults. */
export function layOutFaults(faults: readonly Fault[], disks: number, diskSizeBytes: number): FaultLayout {
  const rules = new Map<string, BlkdebugEntry[]>();
  const skipped: SkippedItem[] = [];
  const blocking: SkippedItem[] = [];
  const skip = (item: SkippedItem, fault: Fault): void => {
    skipped.push(item);
    if (fault.kind !== 'latency') blocking.push(item);
  };
  faults.forEach((fault, index) => {
    const where = `engine.faults[${index}]`;
    const reason = faultSkipReason(fault, disks);
    if (reason !== undefined) return skip({ where, reason }, fault);
    const io = fault as IoErrorFault;
    const target = parseEngineNode(io.node)!;
    const key = `${target.node}:${target.disk}`;
    const made = io.op === 'make-empty' ? makeEmptyRules(io, rules.get(key) ?? []) : rulesForFault(io, diskSizeBytes);
    if (typeof made === 'string') return skip({ where, reason: made }, fault);
    rules.set(key, [...(rules.get(key) ?? []), ...made]);
  });
  return { rules, skipped, blocking };
}

/**
 * The nth make_empty of the node fails: blkdebug's state counts make_completely_empty's
 * empty_image_prepare events (state 1 + afterOps is the first failing one); the armed rule fails
 * that make_empty's next write-zeroes, once.
 */
function makeEmptyRules(fault: IoErrorFault, existing: readonly BlkdebugEntry[]): BlkdebugEntry[] | string {
  if (existing.length > 0) return 'one make-empty fault per node at most: blkdebug has one state machine a node';
  const passing = fault.afterOps ?? 0;
  const failing = fault.times;
  const errno = ERRNO_NUMBERS[fault.errno];
  const out: BlkdebugEntry[] = [];
  const lastCounted = failing === undefined ? passing : passing + failing;
  for (let state = 1; state <= lastCounted; state++) out.push({ event: MAKE_EMPTY_EVENT, state, new_state: state + 1 });
  const lastFailing = failing === undefined ? passing + 1 : passing + failing;
  for (let state = passing + 1; state <= lastFailing; state++) {
    out.push({ event: MAKE_EMPTY_EVENT, state, iotype: 'write-zeroes', errno, once: true });
  }
  return out;
}

/** Why a fault cannot run on QEMU, or undefined when it can (range checks come later). */
function faultSkipReason(fault: Fault, disks: number): string | undefined {
  switch (fault.kind) {
    case 'latency':
      return 'latency faults need simulated time; QEMU runs in real time';
    case 'link-drop':
      return 'link-drop after a number of requests has no blkdebug equivalent (failover with lost=secondary kills the link instead)';
    case 'crash':
      return 'crash points are engine code locations; QEMU has no such hooks (failover steps kill a side instead)';
    case 'job-fail':
      return 'the backup job is internal to QEMU and cannot be made to fail on its own';
    case 'io-error':
      break;
  }
  const target = parseEngineNode(fault.node);
  if (target === undefined) return `unknown node "${fault.node}" (known: ${ENGINE_NODES.join(', ')}, with ".N" for disk N > 0)`;
  if (target.disk >= disks) return `node "${fault.node}" names disk ${target.disk} but the scenario has ${disks} disk(s)`;
  if (fault.fromTick !== undefined && fault.fromTick > 0) return 'fromTick needs simulated time; blkdebug rules are armed from the start';
  const qcow2 = target.node === 'active-disk' || target.node === 'hidden-disk';
  if (qcow2 && fault.op !== 'make-empty') {
    return 'blkdebug cannot sit above the active/hidden qcow2 (replication needs them to have a backing file) and below it offsets are qcow2 host offsets; only make-empty faults are expressible there';
  }
  if (!qcow2 && fault.op === 'make-empty') return `make-empty does not happen on ${target.node}`;
  if (fault.op === 'make-empty') return fault.offset !== undefined || fault.bytes !== undefined ? 'make-empty has no byte range' : undefined;
  if (fault.afterOps !== undefined && fault.afterOps > 0) return 'afterOps (let N operations pass) has no blkdebug equivalent for reads and writes';
  if (fault.times !== undefined && fault.times > 1) return 'blkdebug fires a rule once or always; times > 1 is not expressible for reads and writes';
  return undefined;
}

function rulesForFault(fault: IoErrorFault, diskSizeBytes: number): BlkdebugRule[] | string {
  const errno = ERRNO_NUMBERS[fault.errno];
  const iotype = fault.op === 'any' || fault.op === 'make-empty' ? undefined : fault.op;
  const base: BlkdebugRule = compactRule({ event: 'none', iotype, errno, once: fault.times === 1 ? true : undefined });
  if (fault.offset === undefined && fault.bytes === undefined) return [base];
  const start = fault.offset ?? 0;
  const end = Math.min(diskSizeBytes, fault.bytes === undefined ? diskSizeBytes : start + fault.bytes);
  if (end <= start) return `the range [${start}, ${end}) is outside the ${diskSizeBytes}-byte disk`;
  const first = Math.floor(start / SECTOR_BYTES);
  const last = Math.ceil(end / SECTOR_BYTES) - 1;
  const count = last - first + 1;
  if (count > MAX_RULES_PER_FAULT) return `the range covers ${count} sectors; at most ${MAX_RULES_PER_FAULT} blkdebug rules per fault`;
  if (fault.times === 1 && count > 1) return 'a once-only fault over more than one sector would fire once per sector in blkdebug';
  const rules: BlkdebugRule[] = [];
  for (let sector = first; sector <= last; sector++) rules.push({ ...base, sector });
  return rules;
}

function compactRule(rule: BlkdebugRule): BlkdebugRule {
  return Object.fromEntries(Object.entries(rule).filter(([, v]) => v !== undefined)) as unknown as BlkdebugRule;
}

/** "secondary-disk.2" → { node: "secondary-disk", disk: 2 }; undefined for unknown names. */
export function parseEngineNode(name: string): { readonly node: EngineNode; readonly disk: number } | undefined {
  const match = /^([a-z-]+)(?:\.([1-9][0-9]*))?$/.exec(name);
  if (match === null || !(ENGINE_NODES as readonly string[]).includes(match[1]!)) return undefined;
  return { node: match[1] as EngineNode, disk: match[2] === undefined ? 0 : Number(match[2]) };
}
