/*
 * How a step talks to one side: a QMP command whose QMP error becomes the step's error (QEMU's
 * desc, with temp paths normalised), or an NBD request whose error reply becomes an errno. A side
 * lost to failover answers SIDE_LOST (also a request in flight when a concurrent failover killed
 * the side: its connection closes under it); a side whose process died without colosim killing it answers
 * CRASH once (at the step that saw it) and SIDE_LOST afterwards; a side that stops answering is
 * killed and the run fails with QEMU_HUNG, because no later result of it could be trusted.
 */
import type { IoTarget, Side } from '../scenario/Scenario.js';
import type { StepResult } from '../scenario/StepResult.js';
import { NoExportError, type Outcome, SideLostError, outcomeOf } from '../scenario/outcome.js';
import { type NbdClient, NbdRequestError } from './NbdClient.js';
import { normaliseMessage } from './normaliseMessage.js';
import { QemuAdapterError } from './QemuAdapterError.js';
import type { QemuPair } from './QemuPair.js';
import { QmpError } from './QmpError.js';

/** How long a closed socket may precede the process's exit before the closure counts as no crash. */
const EXIT_AFTER_CLOSE_MS = 2_000;

export function sideLost(side: Side): Outcome {
  return outcomeOf(new SideLostError(side));
}

export function crashed(side: Side, seen: string): Outcome {
  return { ok: false, error: `colosim: the ${side} side crashed: ${seen}`, code: 'CRASH' };
}

/** Which side a CRASH result of this backend names and what was seen of it (crashed()'s words read back). */
export function crashSeen(result: { readonly code?: string; readonly error?: string }): { side: Side; seen: string } | undefined {
  const match = result.code === 'CRASH' ? /^colosim: the (primary|secondary) side crashed: (.*)$/.exec(result.error ?? '') : null;
  return match === null ? undefined : { side: match[1] as Side, seen: match[2]! };
}

/** A CRASH result found among a document's steps: where ("3", or "3.1" inside a concurrent step), its result, and crashSeen's reading of it. */
export interface CrashFound {
  readonly where: string;
  readonly result: StepResult;
  readonly side: Side;
  readonly seen: string;
}

/**
 * The first step or sub-step, in order (a concurrent step before its sub-steps), that this backend
 * answered CRASH and `admitted` does not accept at its position ("3", or "3.1" inside a concurrent
 * step; stepAt and resultAt read it): a crash the engine predicts there, or one the scenario expects.
 */
export function firstCrash(results: readonly StepResult[], admitted: (where: string) => boolean, prefix = ''): CrashFound | undefined {
  for (const [i, result] of results.entries()) {
    const where = `${prefix}${i}`;
    const seen = crashSeen(result);
    if (seen !== undefined && !admitted(where)) return { where, result, ...seen };
    const inner = result.steps === undefined ? undefined : firstCrash(result.steps, admitted, `${where}.`);
    if (inner !== undefined) return inner;
  }
  return undefined;
}

/**
 * undefined when the side can take a step; otherwise its answer: CRASH the first time a step meets
 * a side that died on its own, SIDE_LOST after that and for a side failover killed.
 */
export async function unavailable(pair: QemuPair, side: Side): Promise<Outcome | undefined> {
  if (!pair.lost.has(side)) await pair.detectCrash(side);
  if (!pair.lost.has(side)) return undefined;
  const seen = pair.crashed.get(side);
  if (seen !== undefined && !pair.crashReported.has(side)) {
    pair.crashReported.add(side);
    return crashed(side, seen);
  }
  return sideLost(side);
}

export function skipped(reason: string): Outcome {
  return { ok: false, code: 'SKIPPED', skipped: reason };
}

/** Run a QMP command on a side; resolve with its return value or a failed Outcome. */
export async function qmpCall<T = unknown>(pair: QemuPair, side: Side, command: string, args?: Record<string, unknown>): Promise<{ value: T } | { failed: Outcome }> {
  const gone = await unavailable(pair, side);
  if (gone !== undefined) return { failed: gone };
  try {
    return { value: await pair.process(side).qmp.execute<T>(command, args) };
  } catch (error) {
    if (error instanceof QmpError) return { failed: { ok: false, error: normaliseMessage(error.desc, pair.dirs) } };
    return { failed: await failureOf(pair, side, error, `'${command}'`) };
  }
}

/** A control step made of one QMP command: ok, or QEMU's error. */
export async function control(pair: QemuPair, side: Side, command: string, args?: Record<string, unknown>): Promise<Outcome> {
  const answer = await qmpCall(pair, side, command, args);
  return 'failed' in answer ? answer.failed : { ok: true };
}

/**
 * The outcome of a call that failed for an adapter reason: CRASH when the process died on its own
 * (then the side is lost); anything else ends the run (thrown).
 */
export async function failureOf(pair: QemuPair, side: Side, error: unknown, what: string): Promise<Outcome> {
  const closed = error instanceof QemuAdapterError && (error.code === 'QMP_CLOSED' || error.code === 'NBD_CLOSED');
  // A request in flight when a concurrent failover killed its side: lost with the side, as a later one (SIDE_LOST).
  if (closed && pair.lost.has(side) && !pair.crashed.has(side)) return sideLost(side);
  if (closed) {
    const seen = await pair.detectCrash(side, EXIT_AFTER_CLOSE_MS);
    if (seen !== undefined) {
      pair.crashReported.add(side);
      return crashed(side, seen);
    }
  }
  throw await asRunFailure(pair, side, error, what);
}

/** Turn an adapter error into the run's failure; a timeout means QEMU hangs, so it is killed first. */
export async function asRunFailure(pair: QemuPair, side: Side, error: unknown, what: string): Promise<Error> {
  if (!(error instanceof QemuAdapterError)) return error instanceof Error ? error : new Error(String(error));
  const qemu = pair.process(side);
  if (error.code === 'QMP_TIMEOUT' || error.code === 'NBD_TIMEOUT') {
    await qemu.kill();
    return new QemuAdapterError('QEMU_HUNG', `${side} QEMU (pid ${qemu.pid}) hung: ${error.message}; it was killed with SIGKILL`, { cause: error });
  }
  if (error.code === 'QMP_CLOSED' || error.code === 'NBD_CLOSED') {
    const output = qemu.output.trim();
    return new QemuAdapterError(error.code, `${side} QEMU went away during ${what}: ${error.message}${output === '' ? '' : `; its output: ${output}`}`, { cause: error });
  }
  return error;
}

/**
 * Guest I/O through the NBD export `target` names on `side` (PairConfig's exportName), with errors
 * as errno names. An export the side does not have (any more) answers NO_EXPORT as the engine does.
 * The primary's disk and replication node are exported read-only (the quorum above them unshares
 * write: "Permission conflict on node 'primary-disk': permissions 'write' are both required by an
 * unnamed block device ... and unshared by node 'quorum'"), so writes there are skipped.
 */
export async function guestIo(
  pair: QemuPair,
  side: Side,
  disk: number,
  target: IoTarget,
  kind: 'read' | 'write',
  lane: number,
  io: (client: NbdClient) => Promise<Outcome>,
): Promise<Outcome> {
  const gone = await unavailable(pair, side);
  if (gone !== undefined) return gone;
  const name = exportOf(pair, side, disk, target);
  if (!pair.exports[side].has(name)) return noExport(name);
  if (side === 'primary' && target !== 'vm' && kind === 'write') {
    return skipped(`QEMU can export the primary's ${target === 'disk' ? 'local disk' : 'replication node'} only read-only: the quorum above it unshares the write permission`);
  }
  try {
    return await io(await pair.connection(side, name, lane));
  } catch (error) {
    if (error instanceof NbdRequestError) return { ok: false, errno: error.errno };
    return failureOf(pair, side, error, `NBD I/O on ${name}`);
  }
}

export function noExport(name: string): Outcome {
  return outcomeOf(new NoExportError(name));
}

function exportOf(pair: QemuPair, side: Side, disk: number, target: IoTarget): string {
  const n = pair.disks[disk]!.names;
  if (side === 'primary') return target === 'vm' ? n.pvmExport : target === 'disk' ? n.primaryDiskExport : n.primaryReplicationExport;
  return target === 'disk' ? n.secondaryDiskExport : n.svmExport;
}
