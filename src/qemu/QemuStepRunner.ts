/*
 * Runs scenario steps against a QemuPair with the semantics every backend shares (README, and the
 * engine): start/stop/checkpoint/status map to xen-set-replication, xen-colo-do-checkpoint and
 * query-xen-replication-status on the addressed side; write/read go through NBD; failover and close
 * follow Failover.ts / CloseStep.ts; concurrent runs its sub-steps at once. A stop with failover on
 * the secondary waits for the active commit to end, so the next step never races it.
 */
import type { CheckpointStep, ReadStep, Side, StartStep, StatusStep, Step, StopStep, WriteStep } from '../scenario/Scenario.js';
import type { StepResult } from '../scenario/StepResult.js';
import { encodeRuns } from '../scenario/runs.js';
import { closeStep } from './CloseStep.js';
import { failover, waitForCommit } from './Failover.js';
import type { QemuPair } from './QemuPair.js';
import { type IoTarget, type Outcome, control, guestIo, qmpCall } from './SideCalls.js';

export async function runStep(pair: QemuPair, step: Step, index: number): Promise<StepResult> {
  const outcome = await outcomeOf(pair, step);
  return { index, do: step.do, ...outcome };
}

async function outcomeOf(pair: QemuPair, step: Step): Promise<Outcome> {
  switch (step.do) {
    case 'start':
      return start(pair, step);
    case 'stop':
      return stop(pair, step);
    case 'checkpoint':
      return checkpoint(pair, step);
    case 'status':
      return status(pair, step);
    case 'write':
      return write(pair, step);
    case 'read':
      return read(pair, step);
    case 'failover':
      return failover(pair, step.lost ?? 'primary');
    case 'wait':
      return { ok: true };
    case 'close':
      return closeStep(pair, step);
    case 'concurrent': {
      const steps = await Promise.all(step.steps.map((sub, i) => runStep(pair, sub, i)));
      return { ok: steps.every((s) => s.ok), steps };
    }
  }
}

async function start(pair: QemuPair, step: StartStep): Promise<Outcome> {
  const startSide = (side: Side): Promise<Outcome> =>
    control(pair, side, 'xen-set-replication', { enable: true, primary: (step.mode ?? side) === 'primary' });
  if (step.side !== 'both') return startSide(step.side);
  const secondary = await startSide('secondary');
  return secondary.ok ? startSide('primary') : secondary;
}

async function stop(pair: QemuPair, step: StopStep): Promise<Outcome> {
  const outcome = await control(pair, step.side, 'xen-set-replication', { enable: false, primary: step.side === 'primary', failover: step.failover });
  if (step.side === 'secondary' && step.failover && !pair.lost.has('secondary')) await waitForCommit(pair);
  return outcome;
}

async function checkpoint(pair: QemuPair, step: CheckpointStep): Promise<Outcome> {
  if (step.side !== 'both') return control(pair, step.side, 'xen-colo-do-checkpoint');
  const secondary = await control(pair, 'secondary', 'xen-colo-do-checkpoint');
  const primary = await control(pair, 'primary', 'xen-colo-do-checkpoint');
  return secondary.ok ? primary : secondary;
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

function write(pair: QemuPair, step: WriteStep): Promise<Outcome> {
  const data = new Uint8Array(step.length).fill(step.pattern);
  return guestIo(pair, step.vm, step.disk ?? 0, ioTarget(step), async (client) => {
    await client.write(step.offset, data);
    return { ok: true };
  });
}

function read(pair: QemuPair, step: ReadStep): Promise<Outcome> {
  return guestIo(pair, step.vm, step.disk ?? 0, ioTarget(step), async (client) => ({ ok: true, runs: encodeRuns(await client.read(step.offset, step.length)) }));
}

/** The step's `node` field, read loosely so this file does not depend on when it joins Scenario.ts. */
function ioTarget(step: ReadStep | WriteStep): IoTarget {
  const node = (step as { readonly node?: unknown }).node;
  return node === 'replication' || node === 'disk' ? node : 'vm';
}
