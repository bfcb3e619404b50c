import { createServer } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { QemuAdapterError } from './QemuAdapterError.js';
import { QemuProcess } from './QemuProcess.js';
import { QmpClient } from './QmpClient.js';
import { QmpError } from './QmpError.js';
import { QEMU_SUITE_NOTE, RUN_QEMU_TESTS } from './qemuTestSupport.js';

const started: QemuProcess[] = [];
afterEach(async () => {
  await Promise.all(started.splice(0).map((q) => q.kill()));
});

async function startQemu(timeoutMs = 5000): Promise<QemuProcess> {
  const qemu = await QemuProcess.start({ label: 'test', binary: 'qemu-system-x86_64', timeoutMs });
  started.push(qemu);
  return qemu;
}

describe.runIf(RUN_QEMU_TESTS)(`QmpClient against QEMU 7.2${QEMU_SUITE_NOTE}`, () => {
  it('reads the greeting and answers a command with its return value', async () => {
    const qemu = await startQemu();
    expect(qemu.qmp.greeting.QMP.version.qemu).toMatchObject({ major: 7, minor: 2 });
    expect(qemu.qmp.greeting.QMP.capabilities).toContain('oob');
    const status = await qemu.qmp.execute<{ status: string; running: boolean }>('query-status');
    expect(status.running).toBe(true);
    expect(status.status).toBe('running');
  });

  it("surfaces a QMP error with QMP's class and desc unchanged", async () => {
    const qemu = await startQemu();
    const unknown = await qemu.qmp.execute('no-such-command').catch((e: unknown) => e);
    expect(unknown).toBeInstanceOf(QmpError);
    expect((unknown as QmpError).errorClass).toBe('CommandNotFound');
    expect((unknown as QmpError).desc).toBe('The command no-such-command has not been found');
    const generic = await qemu.qmp.execute('xen-set-replication', { enable: true, primary: true, failover: true }).catch((e: unknown) => e);
    expect(generic).toMatchObject({ class: 'GenericError', desc: "Parameter 'failover' is only for stopping replication", command: 'xen-set-replication' });
  });

  it('queues events and hands them out by name', async () => {
    const qemu = await startQemu();
    await qemu.qmp.execute('stop');
    await qemu.qmp.execute('cont');
    const resume = await qemu.qmp.waitEvent('RESUME');
    const stop = await qemu.qmp.waitEvent('STOP');
    expect(stop.event).toBe('STOP');
    expect(resume.event).toBe('RESUME');
    expect(qemu.qmp.takeEvents()).toEqual([]);
  });

  it('times out a command of a hung QEMU with a message naming the command', async () => {
    const qemu = await startQemu();
    process.kill(qemu.pid!, 'SIGSTOP');
    const error = await qemu.qmp.execute('query-status', undefined, { timeoutMs: 150 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(QemuAdapterError);
    expect((error as QemuAdapterError).code).toBe('QMP_TIMEOUT');
    expect((error as QemuAdapterError).message).toBe("test QEMU: no answer to QMP command 'query-status' within 150 ms");
    const event = await qemu.qmp.waitEvent('NEVER', { timeoutMs: 50 }).catch((e: unknown) => e);
    expect((event as QemuAdapterError).message).toBe('test QEMU: no QMP event NEVER within 50 ms');
  });

  it('rejects pending calls when the QEMU process dies', async () => {
    const qemu = await startQemu();
    process.kill(qemu.pid!, 'SIGSTOP');
    const pending = qemu.qmp.execute('query-status', undefined, { timeoutMs: 5000 }).catch((e: unknown) => e);
    const waiting = qemu.qmp.waitEvent('SHUTDOWN', { timeoutMs: 5000 }).catch((e: unknown) => e);
    await qemu.kill();
    const [call, event] = await Promise.all([pending, waiting]);
    expect((call as QemuAdapterError).code).toBe('QMP_CLOSED');
    expect((call as QemuAdapterError).message).toMatch(/^test QEMU: QMP connection closed while waiting for 'query-status' \(/);
    expect((event as QemuAdapterError).code).toBe('QMP_CLOSED');
    const after = await qemu.qmp.execute('query-status').catch((e: unknown) => e);
    expect((after as QemuAdapterError).code).toBe('QMP_CLOSED');
  });
});

describe('QmpClient protocol handling (fake server)', () => {
  it('times out when the peer never sends a greeting, and reports non-QMP answers', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'colosim-qmp-test-'));
    const path = join(dir, 'qmp.sock');
    const server = createServer((socket) => socket.on('data', () => undefined));
    await new Promise<void>((resolve) => server.listen(path, resolve));
    try {
      const error = await QmpClient.connect(path, { timeoutMs: 100, label: 'fake' }).catch((e: unknown) => e);
      expect((error as QemuAdapterError).code).toBe('QMP_TIMEOUT');
      expect((error as QemuAdapterError).message).toBe('fake: no QMP greeting within 100 ms');
    } finally {
      server.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('closes with QMP_PROTOCOL-style reasons when the peer sends garbage', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'colosim-qmp-test-'));
    const path = join(dir, 'qmp.sock');
    const server = createServer((socket) => {
      socket.write('{"QMP": {"version": {"qemu": {"major": 7, "minor": 2, "micro": 0}, "package": ""}, "capabilities": []}}\n');
      socket.on('data', () => socket.write('this is not json\n'));
    });
    await new Promise<void>((resolve) => server.listen(path, resolve));
    try {
      const error = await QmpClient.connect(path, { timeoutMs: 1000, label: 'fake' }).catch((e: unknown) => e);
      expect((error as QemuAdapterError).code).toBe('QMP_CLOSED');
      expect((error as QemuAdapterError).message).toBe("fake: QMP connection closed while waiting for 'qmp_capabilities' (QEMU sent a line that is not JSON: this is not json)");
    } finally {
      server.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
