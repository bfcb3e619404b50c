/*
 * How a step talks to one side: a QMP command whose QMP error becomes the step's error (QEMU's
 * desc, with temp paths normalised), or an NBD request whose error reply becomes an errno. A side
 * lost to failover answers SIDE_LOST; a side that stops answering is killed and the run fails with
 * QEMU_HUNG, because no later result of it could be trusted.
 */
import type { Side } from '../scenario/Scenario.js';
import type { StepResult } from '../scenario/StepResult.js';
import { type NbdClient, NbdRequestError } from './NbdClient.js';
import { normaliseMessage } from './normaliseMessage.js';
import { QemuAdapterError } from './QemuAdapterError.js';
import type { QemuPair } from './QemuPair.js';
import { QmpError } from './QmpError.js';

/** A step result without its index/do (the runner adds them). */
export type Outcome = Omit<StepResult, 'index' | 'do'>;

export const SIDE_LOST = 'SIDE_LOST';

export function sideLost(side: Side): Outcome {
  return { ok: false, error: `colosim: the ${side} side is lost`, code: SIDE_LOST };
}

export function skipped(reason: string): Outcome {
  return { ok: false, code: 'SKIPPED', skipped: reason };
}

/** Run a QMP command on a side; resolve with its return value or a failed Outcome. */
export async function qmpCall<T = unknown>(pair: QemuPair, side: Side, command: string, args?: Record<string, unknown>): Promise<{ value: T } | { failed: Outcome }> {
  if (pair.lost.has(side)) return { failed: sideLost(side) };
  try {
    return { value: await pair.process(side).qmp.execute<T>(command, args) };
  } catch (error) {
    if (error instanceof QmpError) return { failed: { ok: false, error: normaliseMessage(error.desc, pair.dirs) } };
    throw await asRunFailure(pair, side, error, `'${command}'`);
  }
}

/** A control step made of one QMP command: ok, or QEMU's error. */
export async function control(pair: QemuPair, side: Side, command: string, args?: Record<string, unknown>): Promise<Outcome> {
  const answer = await qmpCall(pair, side, command, args);
  return 'failed' in answer ? answer.failed : { ok: true };
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
 * Where I/O enters (a scenario extension being added to the contract: "vm" default, "replication",
 * "disk"). On the secondary "replication" is the SVM's export and "disk" the secondary disk's own
 * export. The primary's disk and replication node sit in the quorum, which unshares WRITE, so QEMU
 * refuses to export them: "Permission conflict on node 'primary-disk0': permissions 'write' are both
 * required by an unnamed block device ... and unshared by node 'quorum0'".
 */
export type IoTarget = 'vm' | 'replication' | 'disk';

/** Guest I/O through NBD: the step's Outcome, with errors as errno names. */
export async function guestIo(pair: QemuPair, vm: Side, disk: number, target: IoTarget, io: (client: NbdClient) => Promise<Outcome>): Promise<Outcome> {
  if (pair.lost.has(vm)) return sideLost(vm);
  if (vm === 'primary' && target !== 'vm') {
    return skipped(`QEMU cannot export the primary's ${target === 'disk' ? 'local disk' : 'replication node'}: the quorum above it unshares the write permission`);
  }
  const secondaryDisk = target === 'disk';
  if (secondaryDisk && pair.lost.has('primary')) return skipped("failover deleted the secondary disk's NBD export");
  if (vm === 'secondary' && !secondaryDisk && pair.closed.secondary.has(disk)) {
    return skipped(`disk ${disk}'s secondary replication node was closed: QEMU has no device left for the SVM's I/O`);
  }
  try {
    return await io(await pair.connection(vm, disk, secondaryDisk));
  } catch (error) {
    if (error instanceof NbdRequestError) return { ok: false, errno: error.errno };
    throw await asRunFailure(pair, vm, error, `NBD I/O on disk ${disk}`);
  }
}
