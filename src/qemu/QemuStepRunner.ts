/*
 * Runs scenario steps against a QemuPair with the semantics every backend shares (README, and the
 * engine): start/stop/checkpoint/status map to xen-set-replication, xen-colo-do-checkpoint and
 * query-xen-replication-status on the addressed side; write/read go through NBD; failover and close
 * follow Failover.ts / CloseStep.ts. A stop with failover on the secondary waits for the active
 * commit to end, so the next step never races it.
 * A concurrent step issues its sub-steps in the order written: each starts once the one before it
 * has finished or has sent its request and waits (an NBD request in flight, a failover whose commit
 * runs), so what runs at the same time is decided by the file, not by how fast the OS schedules us.
 */
import type { CheckpointStep, DiscardStep, FlushStep, ReadStep, Side, StartStep, StatusStep, Step, StopStep, WriteStep, WriteZeroesStep } from '../scenario/Scenario.js';
import type { StepResult } from '../scenario/StepResult.js';
import { encodeRuns } from '../scenario/runs.js';
import { closeStep } from './CloseStep.js';
import { failover, waitForCommit } from './Failover.js';
import type { QemuPair } from './QemuPair.js';
import type { Outcome } from '../scenario/outcome.js';
import { control, guestIo, qmpCall } from './SideCalls.js';

/** Called by a step once it has sent its request and only waits for the answer. */
export type Issued = () => void;

const NOTHING_ISSUED: Issued = () => undefined;

/** `lane` picks the NBD connections the step's I/O uses: 0 for a step on its own, one per sub-step of a concurrent step. */
export async function runStep(pair: QemuPair, step: Step, index: number, issued: Issued = NOTHING_ISSUED, lane = 0): Promise<StepResult> {
  const outcome = await outcomeOf(pair, step, issued, lane);
  return { index, do: step.do, ...outcome };
}

async function concurrent(pair: QemuPair, steps: readonly Step[]): Promise<Outcome> {
  const running: Promise<StepResult>[] = [];
  for (const [i, sub] of steps.entries()) {
    let issued: Issued = NOTHING_ISSUED;
    const sent = new Promise<void>((resolve) => {
      issued = resolve;
    });
    // With parallel connections each sub-step has its own, so one's request never queues behind another's on a socket.
    const result = runStep(pair, sub, i, issued, pair.options.parallelConnections === true ? i + 1 : 0);
    running.push(result);
    await Promise.race([sent, result.then(() => undefined, () => undefined)]);
  }
  const results = await Promise.all(running);
  return { ok: results.every((r) => r.ok), steps: results };
}

async function outcomeOf(pair: QemuPair, step: Step, issued: Issued, lane: number): Promise<Outcome> {
  switch (step.do) {
    case 'start':
      return start(pair, step);
    case 'stop':
      return stop(pair, step, issued);
    case 'checkpoint':
      return checkpoint(pair, step);
    case 'status':
      return status(pair, step);
    case 'write':
      return write(pair, step, issued, lane);
    case 'read':
      return read(pair, step, issued, lane);
    case 'write-zeroes':
      return writeZeroes(pair, step, issued, lane);
    case 'discard':
      return discard(pair, step, issued, lane);
    case 'flush':
      return flush(pair, step, issued, lane);
    case 'failover':
      return failover(pair, step.lost ?? 'primary', issued);
    case 'wait':
    case 'heal':
      // Real time passes anyway; a heal only matters with faults, and then the scenario is not run (QemuBackend.ts).
      return { ok: true };
    case 'close':
      return closeStep(pair, step);
    case 'concurrent':
      return concurrent(pair, step.steps);
  }
}

async function start(pair: QemuPair, step: StartStep): Promise<Outcome> {
  const startSide = (side: Side): Promise<Outcome> =>
    control(pair, side, 'xen-set-replication', { enable: true, primary: (step.mode ?? side) === 'primary' });
  if (step.side !== 'both') return startSide(step.side);
  const secondary = await startSide('secondary');
  return secondary.ok ? startSide('primary') : secondary;
}

async function stop(pair: QemuPair, step: StopStep, issued: Issued): Promise<Outcome> {
  const outcome = await control(pair, step.side, 'xen-set-replication', { enable: false, primary: step.side === 'primary', failover: step.failover });
  if (step.side === 'secondary' && step.failover && outcome.ok) {
    issued();
    const ended = await waitForCommit(pair);
    if (typeof ended !== 'string') return ended;
  }
  return outcome;
}

/** "both" checkpoints the secondary, then the primary, and stops at the first error (as the engine). */
async function checkpoint(pair: QemuPair, step: CheckpointStep): Promise<Outcome> {
  if (step.side !== 'both') return control(pair, step.side, 'xen-colo-do-checkpoint');
  const secondary = await control(pair, 'secondary', 'xen-colo-do-checkpoint');
  return secondary.ok ? control(pair, 'primary', 'xen-colo-do-checkpoint') : secondary;
}

interface ReplicationStatus {
  readonly error: boolean;
  readonly desc?: string;
}

async function status(pair: QemuPair, step: StatusStep): Promise<Outcome> {
  const answer = await qmpCall<ReplicationStatus>(pair, step.side, 'query-xen-replication-status');
  if ('failed' in answer) return answer.failed;
  const { error, desc } = answer.value;
  return desc === undefined ? { ok: true, replicationError: error } : { ok: true, replicationError: error, desc };
}

/**
 * QEMU's NBD server takes at most 32 MiB a request (NBD_MAX_BUFFER_SIZE; a longer read answers
 * EINVAL, a longer write ends the connection), so a longer step goes out as consecutive requests of
 * at most that much, as QEMU's own NBD client splits them (max_transfer); the first error ends it.
 */
export const NBD_MAX_REQUEST_BYTES = 32 * 1024 * 1024;

function pieces(offset: number, length: number): [number, number][] {
  const out: [number, number][] = [];
  for (let at = 0; at < length || (length === 0 && out.length === 0); at += NBD_MAX_REQUEST_BYTES) {
    out.push([offset + at, Math.min(NBD_MAX_REQUEST_BYTES, length - at)]);
  }
  return out;
}

function write(pair: QemuPair, step: WriteStep, issued: Issued, lane: number): Promise<Outcome> {
  return guestIo(pair, step.vm, step.disk ?? 0, step.node ?? 'vm', 'write', lane, async (client) => {
    for (const [offset, length] of pieces(step.offset, step.length)) {
      const sent = client.write(offset, new Uint8Array(length).fill(step.pattern));
      issued(); // NbdClient puts the request on the socket before it returns
      await sent;
    }
    return { ok: true };
  });
}

function read(pair: QemuPair, step: ReadStep, issued: Issued, lane: number): Promise<Outcome> {
  return guestIo(pair, step.vm, step.disk ?? 0, step.node ?? 'vm', 'read', lane, async (client) => {
    const data = new Uint8Array(step.length);
    for (const [offset, length] of pieces(step.offset, step.length)) {
      const sent = client.read(offset, length);
      issued();
      data.set(await sent, offset - step.offset);
    }
    return { ok: true, runs: encodeRuns(data) };
  });
}

/** NBD_CMD_WRITE_ZEROES carries no payload, but QEMU's server still takes at most 32 MiB a request. */
function writeZeroes(pair: QemuPair, step: WriteZeroesStep, issued: Issued, lane: number): Promise<Outcome> {
  return guestIo(pair, step.vm, step.disk ?? 0, step.node ?? 'vm', 'write', lane, async (client) => {
    for (const [offset, length] of pieces(step.offset, step.length)) {
      const sent = client.writeZeroes(offset, length, step.unmap ?? false);
      issued();
      await sent;
    }
    return { ok: true };
  });
}

function discard(pair: QemuPair, step: DiscardStep, issued: Issued, lane: number): Promise<Outcome> {
  return guestIo(pair, step.vm, step.disk ?? 0, step.node ?? 'vm', 'write', lane, async (client) => {
    for (const [offset, length] of pieces(step.offset, step.length)) {
      const sent = client.trim(offset, length);
      issued();
      await sent;
    }
    return { ok: true };
  });
}

/** A flush changes no byte: it runs on the primary's read-only exports too (QEMU answers it there). */
function flush(pair: QemuPair, step: FlushStep, issued: Issued, lane: number): Promise<Outcome> {
  return guestIo(pair, step.vm, step.disk ?? 0, step.node ?? 'vm', 'read', lane, async (client) => {
    const sent = client.flush();
    issued();
    await sent;
    return { ok: true };
  });
}
