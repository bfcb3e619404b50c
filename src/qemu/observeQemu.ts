/*
 * Re-runs the hand checks behind OBSERVATIONS.md on the local QEMU and prints what it saw:
 * `npx tsx src/qemu/observeQemu.ts`. Not a test (timings vary); it measures the failover commit,
 * SVM I/O while the commit runs, and the NBD errnos of each export, plus scenarios per second.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseScenario } from '../scenario/parseScenario.js';
import { encodeRuns } from '../scenario/runs.js';
import { waitForCommit } from './Failover.js';
import { NbdRequestError } from './NbdClient.js';
import { QemuSession, runScenarioOnQemu } from './QemuBackend.js';
import { QemuPair } from './QemuPair.js';
import { NO_FAULT_RULES, diskNames } from './Topology.js';

const MIB = 1024 * 1024;

async function withPair<T>(session: QemuSession, sizeBytes: number, body: (pair: QemuPair) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), 'colosim-observe-'));
  const files = await session.images.createDisk(dir, 0, sizeBytes, 0x11);
  const pair = await QemuPair.create({ binary: session.tools.system, timeoutMs: 30_000, disks: [{ names: diskNames(0), files, rules: NO_FAULT_RULES }], imageDir: dir });
  try {
    return await body(pair);
  } finally {
    await pair.dispose();
    await rm(dir, { recursive: true, force: true });
  }
}

const outcome = (p: Promise<unknown>): Promise<string> =>
  p.then(
    (v) => (v instanceof Uint8Array ? `ok ${JSON.stringify(encodeRuns(v))}` : 'ok'),
    (e: unknown) => (e instanceof NbdRequestError ? e.errno : String(e)),
  );

async function nbdErrnos(session: QemuSession): Promise<void> {
  await withPair(session, MIB, async (pair) => {
    await pair.secondary.qmp.execute('xen-set-replication', { enable: true, primary: false });
    await pair.primary.qmp.execute('xen-set-replication', { enable: true, primary: true });
    for (const vm of ['primary', 'secondary'] as const) {
      const names = pair.disks[0]!.names;
      const c = await pair.connection(vm, vm === 'primary' ? names.pvmExport : names.svmExport);
      console.log(`${vm} export: write 3 bytes at 1 -> ${await outcome(c.write(1, Uint8Array.of(7, 7, 7)))}`);
      console.log(`${vm} export: read 8 at 0 -> ${await outcome(c.read(0, 8))}`);
      console.log(`${vm} export: read at size -> ${await outcome(c.read(MIB, 512))}; straddling -> ${await outcome(c.read(MIB - 256, 512))}`);
      console.log(`${vm} export: write at size -> ${await outcome(c.write(MIB, new Uint8Array(512)))}; straddling -> ${await outcome(c.write(MIB - 1, new Uint8Array(2)))}`);
      console.log(`${vm} export: read of 33 MiB -> ${await outcome(c.read(0, 33 * MIB))}`);
    }
  });
}

async function failoverTiming(session: QemuSession, sizeBytes: number, dirtyBytes: number): Promise<void> {
  await withPair(session, sizeBytes, async (pair) => {
    await pair.secondary.qmp.execute('xen-set-replication', { enable: true, primary: false });
    const svm = await pair.connection('secondary', pair.disks[0]!.names.svmExport);
    for (let at = 0; at < dirtyBytes; at += 4 * MIB) await svm.write(at, new Uint8Array(Math.min(4 * MIB, dirtyBytes - at)).fill(0x33));
    await pair.killSide('primary');
    await pair.secondary.qmp.execute('block-export-del', { id: pair.disks[0]!.names.coloExport, mode: 'hard' });
    const t0 = performance.now();
    await pair.secondary.qmp.execute('xen-set-replication', { enable: false, primary: false, failover: true });
    // I/O issued right away, while the commit job (mirror_top) is still in the graph
    const nodes = (await pair.secondary.qmp.execute<{ drv: string }[]>('query-named-block-nodes', { flat: true })).map((n) => n.drv);
    const status = await pair.secondary.qmp.execute('query-xen-replication-status');
    const io = await Promise.all([outcome(svm.write(sizeBytes - 512, new Uint8Array(512).fill(0x44))), outcome(svm.read(0, 1024))]);
    const during = (await pair.secondary.qmp.execute<{ drv: string }[]>('query-named-block-nodes', { flat: true })).some((n) => n.drv === 'mirror_top');
    const result = await waitForCommit(pair);
    const ms = (performance.now() - t0).toFixed(1);
    console.log(`failover ${sizeBytes / MIB} MiB disk, ${dirtyBytes / MIB} MiB in active: commit ${result} after ${ms} ms`);
    console.log(`  right after stop: mirror_top present=${nodes.includes('mirror_top')}, status=${JSON.stringify(status)}`);
    console.log(`  SVM I/O issued during FAILOVER: write -> ${io[0]}, read -> ${io[1]}; commit still running after the I/O: ${during}`);
    console.log(`  after: last sector ${await outcome(svm.read(sizeBytes - 512, 512))}, status ${JSON.stringify(await pair.secondary.qmp.execute('query-xen-replication-status'))}`);
  });
}

async function throughput(session: QemuSession, count: number): Promise<void> {
  const scenario = parseScenario({
    colosim: 1,
    name: 'bench',
    disk: { size: MIB, pattern: 0x11 },
    steps: [
      { do: 'start', side: 'both' },
      { do: 'write', vm: 'primary', offset: 0, length: 4096, pattern: 0x22 },
      { do: 'write', vm: 'secondary', offset: 8192, length: 4096, pattern: 0x33 },
      { do: 'checkpoint', side: 'both' },
      { do: 'status', side: 'secondary' },
      { do: 'read', vm: 'secondary', offset: 0, length: 16384 },
      { do: 'failover' },
      { do: 'read', vm: 'secondary', offset: 0, length: 16384 },
    ],
  });
  const t0 = performance.now();
  for (let i = 0; i < count; i++) await runScenarioOnQemu(scenario, { session });
  const seconds = (performance.now() - t0) / 1000;
  console.log(`${count} scenarios (8 steps incl. failover, fresh QEMU pair each) in ${seconds.toFixed(2)} s: ${(count / seconds).toFixed(1)} scenarios/s`);
}

const session = new QemuSession();
try {
  await nbdErrnos(session);
  await failoverTiming(session, 4 * MIB, 4 * MIB);
  await failoverTiming(session, 64 * MIB, 64 * MIB);
  await failoverTiming(session, 1024 * MIB, 512 * MIB);
  await throughput(session, 1);
  await throughput(session, 50);
} finally {
  await session.close();
}
