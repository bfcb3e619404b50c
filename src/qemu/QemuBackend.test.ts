import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseScenario } from '../scenario/parseScenario.js';
import type { StepResult } from '../scenario/StepResult.js';
import { liveResources } from './ChildRegistry.js';
import { type QemuResultDocument, QemuSession, runScenarioOnQemu } from './QemuBackend.js';
import { QemuAdapterError } from './QemuAdapterError.js';
import { QemuPair } from './QemuPair.js';
import { QemuProcess } from './QemuProcess.js';
import { runStep } from './QemuStepRunner.js';
import { findQemuTools } from './QemuTools.js';
import { NO_FAULT_RULES, diskNames } from './Topology.js';
import { QEMU_SUITE_NOTE, RUN_QEMU_TESTS } from './qemuTestSupport.js';

const MIB = 1024 * 1024;
const HALF = 2 * MIB;
const NOT_RUNNING = 'Block replication is not running';
const CANCELLED = 'Backup job was cancelled unexpectedly';
const RUNNING_OR_DONE = 'Block replication is running or done';

/** Results without index/do, so expectations read like the reference's tables. */
function outcomes(doc: QemuResultDocument): Omit<StepResult, 'index' | 'do'>[] {
  return doc.steps.map(({ index: _index, do: _do, ...rest }) => rest);
}

function scenario(steps: unknown[], extra: Record<string, unknown> = {}) {
  return parseScenario({ colosim: 1, name: 'test', disk: { size: 4 * MIB, pattern: 0x11 }, steps, ...extra });
}

describe('QEMU missing', () => {
  it('fails with QEMU_MISSING naming the Debian packages', () => {
    const error = (() => {
      try {
        return findQemuTools('/nonexistent');
      } catch (e) {
        return e;
      }
    })() as QemuAdapterError;
    expect(error.code).toBe('QEMU_MISSING');
    expect(error.message).toBe(
      'QEMU is not installed: qemu-system-x86_64, qemu-img, qemu-io not found on PATH; install the Debian packages qemu-system-x86 and qemu-utils (apt-get install qemu-system-x86 qemu-utils)',
    );
  });

  it('reports a missing emulator binary at start the same way', async () => {
    const error = (await QemuProcess.start({ label: 'x', binary: '/nonexistent/qemu-system-x86_64' }).catch((e: unknown) => e)) as QemuAdapterError;
    expect(error.code).toBe('QEMU_MISSING');
    expect(error.message).toContain('qemu-system-x86 and qemu-utils');
    expect(liveResources()).toEqual({ children: 0, directories: 0 });
  });
});

describe.runIf(RUN_QEMU_TESTS)(`runScenarioOnQemu${QEMU_SUITE_NOTE}`, () => {
  let session: QemuSession;
  beforeAll(() => {
    session = new QemuSession();
  });
  afterAll(async () => {
    await session?.close();
    expect(liveResources()).toEqual({ children: 0, directories: 0 });
  });
  const run = (s: ReturnType<typeof scenario>) => runScenarioOnQemu(s, { session });

  it('answers every command before start as §11 observed', async () => {
    const doc = await run(
      scenario([
        { do: 'status', side: 'secondary' },
        { do: 'read', vm: 'secondary', offset: 0, length: 512 },
        { do: 'write', vm: 'secondary', offset: 0, length: 512, pattern: 1 },
        { do: 'checkpoint', side: 'secondary' },
        { do: 'stop', side: 'secondary', failover: false },
        { do: 'start', side: 'secondary', mode: 'primary' },
        { do: 'checkpoint', side: 'primary' },
        { do: 'start', side: 'primary', mode: 'secondary' },
        { do: 'status', side: 'primary' },
      ]),
    );
    expect(doc.backend).toBe('qemu');
    expect(doc.scenario).toBe('test');
    expect(doc.skipped).toBeUndefined();
    expect(outcomes(doc)).toEqual([
      { ok: true, replicationError: true, desc: NOT_RUNNING },
      { ok: false, errno: 'EIO' },
      { ok: false, errno: 'EIO' },
      { ok: false, error: CANCELLED },
      { ok: false, error: NOT_RUNNING },
      { ok: false, error: "The parameter mode's value is invalid, needs 1, but got 0" },
      { ok: true },
      { ok: false, error: "The parameter mode's value is invalid, needs 0, but got 1" },
      { ok: true, replicationError: true, desc: NOT_RUNNING },
    ]);
  });

  it('hides a primary write from the SVM until the checkpoint', async () => {
    const doc = await run(
      scenario([
        { do: 'start', side: 'both' },
        { do: 'start', side: 'secondary' },
        { do: 'write', vm: 'primary', offset: 65536, length: 4096, pattern: 0x22 },
        { do: 'read', vm: 'secondary', offset: 65536, length: 4096 },
        { do: 'write', vm: 'secondary', offset: 0, length: 512, pattern: 0x33 },
        { do: 'read', vm: 'primary', offset: 0, length: 70000 },
        { do: 'checkpoint', side: 'both' },
        { do: 'read', vm: 'secondary', offset: 0, length: 70000 },
        { do: 'status', side: 'secondary' },
        { do: 'status', side: 'primary' },
      ]),
    );
    expect(outcomes(doc)).toEqual([
      { ok: true },
      { ok: false, error: RUNNING_OR_DONE },
      { ok: true },
      { ok: true, runs: [[0x11, 4096]] },
      { ok: true },
      { ok: true, runs: [[0x11, 65536], [0x22, 4096], [0x11, 70000 - 65536 - 4096]] },
      { ok: true },
      // the checkpoint dropped the SVM's own write too: the SVM now sees the primary's disk
      { ok: true, runs: [[0x11, 65536], [0x22, 4096], [0x11, 70000 - 65536 - 4096]] },
      { ok: true, replicationError: false },
      { ok: true, replicationError: false },
    ]);
  });

  it('commits the SVM view on failover: 0x11 where the un-checkpointed 0x22 landed (test-replication secondary/stop)', async () => {
    const doc = await run(
      scenario([
        { do: 'start', side: 'both' },
        { do: 'write', vm: 'primary', offset: HALF, length: HALF, pattern: 0x22 },
        { do: 'write', vm: 'secondary', offset: 0, length: HALF, pattern: 0x33 },
        { do: 'failover' },
        { do: 'read', vm: 'secondary', offset: 0, length: 2 * HALF },
        { do: 'status', side: 'secondary' },
        { do: 'start', side: 'secondary', mode: 'primary' },
        { do: 'checkpoint', side: 'secondary' },
        { do: 'stop', side: 'secondary', failover: false },
        { do: 'status', side: 'primary' },
        { do: 'write', vm: 'primary', offset: 0, length: 1, pattern: 1 },
      ]),
    );
    expect(outcomes(doc)).toEqual([
      { ok: true },
      { ok: true },
      { ok: true },
      { ok: true },
      { ok: true, runs: [[0x33, HALF], [0x11, HALF]] },
      { ok: true, replicationError: false },
      { ok: true },
      { ok: true },
      { ok: true },
      { ok: false, error: 'colosim: the primary side is lost', code: 'SIDE_LOST' },
      { ok: false, error: 'colosim: the primary side is lost', code: 'SIDE_LOST' },
    ]);
  });

  it('stop without failover on the secondary: the cancelled-backup error, then DONE absorbs everything', async () => {
    const doc = await run(
      scenario([
        { do: 'start', side: 'secondary' },
        { do: 'stop', side: 'secondary', failover: false },
        { do: 'status', side: 'secondary' },
        { do: 'stop', side: 'secondary', failover: false },
        { do: 'start', side: 'secondary' },
        { do: 'checkpoint', side: 'secondary' },
        { do: 'close', side: 'secondary' },
        { do: 'read', vm: 'secondary', offset: 0, length: 512 },
      ]),
    );
    expect(outcomes(doc)).toEqual([
      { ok: true },
      { ok: false, error: CANCELLED },
      { ok: true, replicationError: true, desc: 'I/O error occurred' },
      { ok: true },
      { ok: true },
      { ok: true },
      { ok: true },
      // the close took the node's export away first, as the engine does
      { ok: false, error: 'colosim: no NBD export named secondary-vm', code: 'NO_EXPORT' },
    ]);
  });

  it('loses the secondary: the primary VM keeps its local disk and a clean status', async () => {
    const doc = await run(
      scenario(
        [
          { do: 'start', side: 'both' },
          { do: 'failover', lost: 'secondary' },
          { do: 'status', side: 'primary' },
          { do: 'write', vm: 'primary', offset: 512, length: 3, pattern: 0x44, disk: 1 },
          { do: 'read', vm: 'primary', offset: 0, length: 1024, disk: 1 },
          { do: 'read', vm: 'secondary', offset: 0, length: 512 },
          { do: 'checkpoint', side: 'both' },
        ],
        { disks: 2, disk: { size: MIB, pattern: 0x11 } },
      ),
    );
    expect(outcomes(doc)).toEqual([
      { ok: true },
      { ok: true },
      { ok: true, replicationError: false },
      { ok: true },
      { ok: true, runs: [[0x11, 512], [0x44, 3], [0x11, 509]] },
      { ok: false, error: 'colosim: the secondary side is lost', code: 'SIDE_LOST' },
      { ok: false, error: 'colosim: the secondary side is lost', code: 'SIDE_LOST' },
    ]);
  });

  it('runs blkdebug faults on the secondary disk and lists the faults it cannot express', async () => {
    const doc = await run(
      scenario(
        [
          { do: 'start', side: 'both' },
          { do: 'write', vm: 'primary', offset: 0, length: 4096, pattern: 0x22 },
          { do: 'read', vm: 'primary', offset: 0, length: 8192 },
          { do: 'status', side: 'primary' },
          { do: 'checkpoint', side: 'both' },
          { do: 'status', side: 'primary' },
          { do: 'status', side: 'secondary' },
          { do: 'stop', side: 'primary', failover: false },
          { do: 'status', side: 'primary' },
        ],
        {
          engine: {
            faults: [
              { kind: 'io-error', node: 'secondary-disk', op: 'write', errno: 'EIO' },
              { kind: 'latency', node: 'link', op: 'any', ticks: 5 },
            ],
          },
        },
      ),
    );
    expect(outcomes(doc)).toEqual([
      { ok: true },
      // the primary replication filter swallows the forwarding error: the guest write succeeds
      { ok: true },
      { ok: true, runs: [[0x22, 4096], [0x11, 4096]] },
      { ok: true, replicationError: true, desc: 'I/O error occurred' },
      { ok: true },
      { ok: true, replicationError: true, desc: 'I/O error occurred' },
      { ok: true, replicationError: false },
      { ok: true },
      { ok: true, replicationError: false },
    ]);
    expect(doc.skipped).toEqual([{ where: 'engine.faults[1]', reason: 'latency faults need simulated time; QEMU runs in real time' }]);
  });

  it('a failed make_empty ejects the active disk; the message names the image by basename', async () => {
    const doc = await run(
      scenario(
        [
          { do: 'start', side: 'secondary' },
          { do: 'status', side: 'secondary' },
          { do: 'checkpoint', side: 'secondary' },
          { do: 'read', vm: 'secondary', offset: 0, length: 512 },
          { do: 'close', side: 'secondary' },
          { do: 'read', vm: 'secondary', offset: 0, length: 512 },
        ],
        { engine: { faults: [{ kind: 'io-error', node: 'active-disk', op: 'make-empty', errno: 'ENOSPC' }] } },
      ),
    );
    expect(outcomes(doc)).toEqual([
      { ok: false, error: 'Failed to empty active-disk.qcow2: No space left on device' },
      { ok: true, replicationError: false },
      { ok: false, error: 'Active disk active-disk is ejected' },
      // ENOMEDIUM from the ejected node; QEMU's NBD server has no code for it and sends EINVAL
      { ok: false, errno: 'EINVAL' },
      // a refused close is QEMU's answer, not a skip
      { ok: false, error: "Node 'replication-secondary' is busy: Block device is in use by internal backup job" },
      // the export could not be put back: QEMU cannot size an export of a node with an ejected disk
      { ok: false, error: 'colosim: no NBD export named secondary-vm', code: 'NO_EXPORT' },
    ]);
  });

  it('runs concurrent I/O of both VMs and reports NBD errnos for out-of-range and after-close I/O', async () => {
    const doc = await run(
      scenario(
        [
          { do: 'close', side: 'primary' },
          { do: 'status', side: 'primary' },
          { do: 'start', side: 'secondary' },
          {
            do: 'concurrent',
            steps: [
              { do: 'write', vm: 'primary', offset: 0, length: 65536, pattern: 2 },
              { do: 'write', vm: 'secondary', offset: 65536, length: 512, pattern: 3 },
              { do: 'read', vm: 'secondary', offset: 65024, length: 1024 },
              { do: 'read', vm: 'primary', offset: MIB, length: 512 },
            ],
          },
          { do: 'read', vm: 'secondary', offset: 65024, length: 1024 },
          { do: 'write', vm: 'secondary', offset: MIB - 1, length: 2, pattern: 9 },
          { do: 'wait', ticks: 100 },
        ],
        { disk: { size: MIB, pattern: 0x11 } },
      ),
    );
    const [closed, status, started, concurrent, after, beyond, wait] = doc.steps;
    expect([closed, status, started]).toEqual([
      { index: 0, do: 'close', ok: true },
      // no replication node left on the primary: nothing reports an error
      { index: 1, do: 'status', ok: true, replicationError: false },
      { index: 2, do: 'start', ok: true },
    ]);
    expect(concurrent!.ok).toBe(false);
    expect(concurrent!.steps!.map(({ index, ok, errno }) => ({ index, ok, errno }))).toEqual([
      { index: 0, ok: true, errno: undefined },
      { index: 1, ok: true, errno: undefined },
      { index: 2, ok: true, errno: undefined },
      { index: 3, ok: false, errno: 'EINVAL' },
    ]);
    // the concurrent read ran before or after the SVM write; afterwards the write is there for sure
    const raced = JSON.stringify(concurrent!.steps![2]!.runs);
    expect([JSON.stringify([[0x11, 1024]]), JSON.stringify([[0x11, 512], [3, 512]])]).toContain(raced);
    expect(after).toEqual({ index: 4, do: 'read', ok: true, runs: [[0x11, 512], [3, 512]] });
    expect(beyond).toEqual({ index: 5, do: 'write', ok: false, errno: 'EINVAL' });
    expect(wait).toEqual({ index: 6, do: 'wait', ok: true });
  });
});

describe.runIf(RUN_QEMU_TESTS)(`I/O targets and chain variants${QEMU_SUITE_NOTE}`, () => {
  it('reaches the disks and the replication nodes through their exports; primary ones are read-only', async () => {
    const doc = await runScenarioOnQemu(
      scenario([
        { do: 'start', side: 'both' },
        { do: 'write', vm: 'primary', offset: 0, length: 512, pattern: 0x22 },
        { do: 'read', vm: 'secondary', node: 'disk', offset: 0, length: 512 },
        { do: 'read', vm: 'secondary', node: 'replication', offset: 0, length: 512 },
        { do: 'read', vm: 'primary', node: 'disk', offset: 0, length: 512 },
        { do: 'read', vm: 'primary', node: 'replication', offset: 0, length: 512 },
        { do: 'write', vm: 'primary', node: 'disk', offset: 0, length: 512, pattern: 1 },
        { do: 'failover' },
        { do: 'read', vm: 'secondary', node: 'disk', offset: 0, length: 512 },
        { do: 'write', vm: 'secondary', node: 'disk', offset: 512, length: 512, pattern: 0x33 },
        { do: 'read', vm: 'secondary', offset: 0, length: 1024 },
      ]),
    );
    expect(outcomes(doc)).toEqual([
      { ok: true },
      { ok: true },
      { ok: true, runs: [[0x22, 512]] },
      { ok: true, runs: [[0x11, 512]] },
      { ok: true, runs: [[0x22, 512]] },
      // a primary replication node fails every read
      { ok: false, errno: 'EIO' },
      { ok: false, code: 'SKIPPED', skipped: "QEMU can export the primary's local disk only read-only: the quorum above it unshares the write permission" },
      { ok: true },
      // only colo1 went away at failover; the secondary disk's own export stays
      { ok: true, runs: [[0x11, 512]] },
      { ok: true },
      { ok: true, runs: [[0x11, 512], [0x33, 512]] },
    ]);
  });

  it('builds each broken chain and answers start with QEMU\'s validation error', async () => {
    const errors: Record<string, string> = {
      'active-without-backing': "Active disk doesn't have backing file",
      'hidden-without-backing': "Hidden disk doesn't have backing file",
      'secondary-without-backend': "The secondary disk doesn't have block backend",
      'active-length-differs': "Active disk, hidden disk, secondary disk's length are not the same",
      'active-without-make-empty': "Active disk or hidden disk doesn't support make_empty",
      'top-id-unknown': 'No top_bs or it is invalid',
    };
    const session = new QemuSession();
    try {
      for (const [chain, error] of Object.entries(errors)) {
        const doc = await runScenarioOnQemu(
          scenario(
            [
              { do: 'start', side: 'secondary' },
              { do: 'start', side: 'primary' },
              { do: 'write', vm: 'primary', offset: 0, length: 512, pattern: 1 },
              { do: 'status', side: 'primary' },
              { do: 'read', vm: 'secondary', node: 'disk', offset: 0, length: 512 },
            ],
            { chain, disk: { size: MIB, pattern: 0x11 } },
          ),
          { session },
        );
        const forwarding = chain === 'secondary-without-backend' ? { ok: true, replicationError: true, desc: 'I/O error occurred' } : { ok: true, replicationError: false };
        const diskRead = chain === 'secondary-without-backend' ? { ok: false, error: 'colosim: no NBD export named secondary-disk', code: 'NO_EXPORT' } : { ok: true, runs: [[1, 512]] };
        expect(outcomes(doc), chain).toEqual([{ ok: false, error }, { ok: true }, { ok: true }, forwarding, diskRead]);
        expect(doc.skipped, chain).toBeUndefined();
      }
    } finally {
      await session.close();
    }
  });

  it('reports a QEMU that dies by itself as CRASH, then SIDE_LOST', async () => {
    const doc = await runScenarioOnQemu(
      scenario(
        [
          { do: 'start', side: 'secondary' },
          { do: 'stop', side: 'secondary', failover: false },
          { do: 'status', side: 'secondary' },
          { do: 'status', side: 'primary' },
        ],
        { disk: { size: MIB, pattern: 0x11 }, engine: { faults: [{ kind: 'io-error', node: 'hidden-disk', op: 'make-empty', times: 1 }] } },
      ),
    );
    expect(outcomes(doc)).toEqual([
      { ok: false, error: 'Failed to empty hidden-disk.qcow2: Input/output error' },
      // stop with an ejected hidden disk: QEMU 7.2 dies of SIGSEGV (src/qemu/divergences.ts)
      { ok: false, error: 'colosim: the secondary side crashed: killed by SIGSEGV', code: 'CRASH' },
      { ok: false, error: 'colosim: the secondary side is lost', code: 'SIDE_LOST' },
      { ok: true, replicationError: true, desc: 'Block replication is not running' },
    ]);
  });

  it('runs a scenario with a fault it cannot express not at all, saying why at every step', async () => {
    const doc = await runScenarioOnQemu(scenario([{ do: 'start', side: 'both' }], { engine: { faults: [{ kind: 'job-fail', job: 'backup' }] } }));
    const reason = 'not run on QEMU: engine.faults[0]: the backup job is internal to QEMU and cannot be made to fail on its own';
    expect(doc.steps).toEqual([{ index: 0, do: 'start', ok: false, code: 'SKIPPED', skipped: reason }]);
    expect(doc.skipped).toEqual([{ where: 'engine.faults[0]', reason: 'the backup job is internal to QEMU and cannot be made to fail on its own' }]);
  });
});

describe.runIf(RUN_QEMU_TESTS)(`a hung QEMU${QEMU_SUITE_NOTE}`, () => {
  it('is killed and reported as QEMU_HUNG', async () => {
    const session = new QemuSession();
    const dir = await mkdtemp(join(tmpdir(), 'colosim-hung-test-'));
    const files = await session.images.createDisk(dir, 0, MIB, 0);
    // The timeout also bounds start-up, which a loaded machine can stretch past a few hundred ms.
    const pair = await QemuPair.create({ binary: session.tools.system, timeoutMs: 2000, disks: [{ names: diskNames(0), files, rules: NO_FAULT_RULES }], imageDir: dir });
    try {
      process.kill(pair.secondary.pid!, 'SIGSTOP');
      const error = (await runStep(pair, { do: 'status', side: 'secondary' }, 0).catch((e: unknown) => e)) as QemuAdapterError;
      expect(error.code).toBe('QEMU_HUNG');
      expect(error.message).toBe(
        `secondary QEMU (pid ${pair.secondary.pid}) hung: secondary QEMU: no answer to QMP command 'query-xen-replication-status' within 2000 ms; it was killed with SIGKILL`,
      );
      expect(pair.secondary.exited).toBe(true);
    } finally {
      await pair.dispose();
      await session.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
