/*
 * One hunt trial on real QEMU: a fresh pair (QemuPair, with the shape's qcow2 options on the active
 * and hidden disks), replication started, the primary's writes, then the primary lost: SIGKILL, colo1
 * export deleted, `xen-set-replication failover=true` on the secondary, and the secondary's writes
 * issued at once after its reply (or right after it is sent) on an NBD connection opened beforehand,
 * so they race the commit's start-up. Once the commit is DONE (its mirror_top node gone, active disk
 * dropped) each acknowledged write is read back from the secondary disk's own export: one whose
 * bytes are not there is lost. Timing is real and not reproducible; the counts are the result.
 */
import { deleteExport, waitForCommit } from '../Failover.js';
import { type NbdClient, NbdRequestError } from '../NbdClient.js';
import type { QemuPair } from '../QemuPair.js';
import { type HuntShape, type HuntWrite, primaryWrites, secondaryWrites } from './HuntShape.js';

export interface TrialResult {
  /** Secondary writes QEMU acknowledged. */
  readonly written: number;
  /** Acknowledged writes missing from the secondary disk after the commit. */
  readonly lost: number;
  readonly lostOffsets: readonly number[];
  /** Milliseconds from the failover command to the commit's end. */
  readonly commitMs: number;
}

/** How many primary writes are in flight at once (one NBD connection, pipelined). */
const PRIMARY_WINDOW = 64;

export async function runTrial(pair: QemuPair, shape: HuntShape): Promise<TrialResult> {
  const names = pair.disks[0]!.names;
  await pair.secondary.qmp.execute('xen-set-replication', { enable: true, primary: false });
  await pair.primary.qmp.execute('xen-set-replication', { enable: true, primary: true });
  await writeAll(await pair.connection('primary', names.pvmExport), primaryWrites(shape), PRIMARY_WINDOW);
  const svm = await pair.connection('secondary', names.svmExport);
  const disk = await pair.connection('secondary', names.secondaryDiskExport);
  await pair.killSide('primary');
  const deleted = await deleteExport(pair, 'secondary', names.coloExport);
  if (!deleted.ok) throw new Error(`deleting the colo1 export failed: ${deleted.error ?? deleted.errno ?? deleted.code}`);
  const writes = secondaryWrites(shape);
  const began = Date.now();
  const acks = await raceFailover(pair, svm, writes, shape.beforeReply);
  const ended = await waitForCommit(pair);
  const commitMs = Date.now() - began;
  if (ended !== 'committed') throw new Error(`the failover commit did not reach DONE: ${typeof ended === 'string' ? ended : JSON.stringify(ended)}`);
  const acked = writes.filter((_, i) => acks[i]);
  const lostOffsets: number[] = [];
  for (const w of acked) if (!(await holds(disk, w))) lostOffsets.push(w.offset);
  return { written: acked.length, lost: lostOffsets.length, lostOffsets, commitMs };
}

/** Send the failover command and the writes (after its reply, or right after it is sent); which writes were acknowledged. */
async function raceFailover(pair: QemuPair, svm: NbdClient, writes: readonly HuntWrite[], beforeReply: boolean): Promise<boolean[]> {
  const command = pair.secondary.qmp.execute('xen-set-replication', { enable: false, primary: false, failover: true });
  if (!beforeReply) await command;
  const sent = writes.map((w) => svm.write(w.offset, new Uint8Array(w.length).fill(w.pattern)).then(() => true, (error: unknown) => acknowledgeFailure(error)));
  if (beforeReply) await command;
  return Promise.all(sent);
}

/** A write answered with an NBD error was not acknowledged; an adapter failure ends the trial. */
function acknowledgeFailure(error: unknown): boolean {
  if (error instanceof NbdRequestError) return false;
  throw error;
}

async function writeAll(client: NbdClient, writes: readonly HuntWrite[], window: number): Promise<void> {
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < writes.length) {
      const w = writes[next++]!;
      await client.write(w.offset, new Uint8Array(w.length).fill(w.pattern));
    }
  };
  await Promise.all(Array.from({ length: Math.min(window, writes.length) }, lane));
}

async function holds(disk: NbdClient, w: HuntWrite): Promise<boolean> {
  const data = await disk.read(w.offset, w.length);
  return data.every((b) => b === w.pattern);
}
