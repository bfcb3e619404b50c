import { createServer } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NbdClient, NbdRequestError } from './NbdClient.js';
import { NBD_FLAG_READ_ONLY, NBD_FLAG_SEND_FLUSH, nbdErrnoName } from './NbdProtocol.js';
import type { QemuAdapterError } from './QemuAdapterError.js';
import { QemuProcess } from './QemuProcess.js';
import { runTool } from './QemuTools.js';
import { encodeRuns } from '../scenario/runs.js';
import { QEMU_SUITE_NOTE, RUN_QEMU_TESTS } from './qemuTestSupport.js';

const SIZE = 1024 * 1024;

describe('nbdErrnoName', () => {
  it('maps the NBD error numbers to errno names and unknown ones to EINVAL', () => {
    expect([1, 5, 12, 22, 28, 75, 95, 108].map(nbdErrnoName)).toEqual(['EPERM', 'EIO', 'ENOMEM', 'EINVAL', 'ENOSPC', 'EOVERFLOW', 'ENOTSUP', 'ESHUTDOWN']);
    expect(nbdErrnoName(123)).toBe('EINVAL');
  });
});

describe('NbdClient handshake fallback (fake server without NBD_OPT_GO)', () => {
  it('falls back to NBD_OPT_EXPORT_NAME when GO answers NBD_REP_ERR_UNSUP', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'colosim-nbd-test-'));
    const path = join(dir, 'nbd.sock');
    const seen: number[] = [];
    const server = createServer((socket) => {
      const hello = Buffer.alloc(18);
      hello.write('NBDMAGIC', 0, 'latin1');
      hello.write('IHAVEOPT', 8, 'latin1');
      hello.writeUInt16BE(3, 16); // fixed newstyle + no zeroes
      socket.write(hello);
      let buffer = Buffer.alloc(0);
      socket.on('data', (chunk: Buffer) => {
        buffer = Buffer.concat([buffer, chunk]);
        if (buffer.length >= 4 + 16 && seen.length === 0) {
          const option = buffer.readUInt32BE(4 + 8);
          const length = buffer.readUInt32BE(4 + 12);
          if (buffer.length < 4 + 16 + length) return;
          seen.push(option);
          buffer = buffer.subarray(4 + 16 + length);
          const reply = Buffer.alloc(20);
          reply.writeBigUInt64BE(0x0003e889045565a9n, 0);
          reply.writeUInt32BE(option, 8);
          reply.writeUInt32BE(0x80000001, 12); // NBD_REP_ERR_UNSUP
          reply.writeUInt32BE(0, 16);
          socket.write(reply);
        }
        if (seen.length === 1 && buffer.length >= 16) {
          seen.push(buffer.readUInt32BE(8));
          const answer = Buffer.alloc(10);
          answer.writeBigUInt64BE(4096n, 0);
          answer.writeUInt16BE(1 | 4, 8);
          socket.write(answer);
          buffer = Buffer.alloc(0);
        }
      });
    });
    await new Promise<void>((resolve) => server.listen(path, resolve));
    try {
      const client = await NbdClient.connect({ socketPath: path, exportName: 'x', timeoutMs: 2000 });
      expect(seen).toEqual([7, 1]); // NBD_OPT_GO, then NBD_OPT_EXPORT_NAME
      expect(client.negotiation).toBe('export-name');
      expect(client.sizeBytes).toBe(4096);
      expect(client.transmissionFlags).toBe(5);
      await client.disconnect();
    } finally {
      server.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe.runIf(RUN_QEMU_TESTS)(`NbdClient against QEMU 7.2's NBD server${QEMU_SUITE_NOTE}`, () => {
  let qemu: QemuProcess;
  const socketPath = (): string => qemu.path('nbd.sock');

  beforeAll(async () => {
    qemu = await QemuProcess.start({ label: 'nbd-test', binary: 'qemu-system-x86_64', timeoutMs: 5000 });
    const image = qemu.path('disk.raw');
    await runTool('qemu-img', ['create', '-q', '-f', 'raw', image, String(SIZE)]);
    await qemu.qmp.execute('blockdev-add', { driver: 'raw', 'node-name': 'disk', file: { driver: 'file', filename: image } });
    await qemu.qmp.execute('nbd-server-start', { addr: { type: 'unix', data: { path: socketPath() } } });
    await qemu.qmp.execute('block-export-add', { type: 'nbd', id: 'rw', 'node-name': 'disk', name: 'rw', writable: true });
    await qemu.qmp.execute('block-export-add', { type: 'nbd', id: 'ro', 'node-name': 'disk', name: 'ro', writable: false });
  });
  afterAll(async () => {
    await qemu?.stop();
  });

  it('negotiates with NBD_OPT_GO and learns size and flags', async () => {
    const client = await NbdClient.connect({ socketPath: socketPath(), exportName: 'rw' });
    expect(client.negotiation).toBe('go');
    expect(client.sizeBytes).toBe(SIZE);
    expect(client.transmissionFlags & NBD_FLAG_SEND_FLUSH).toBe(NBD_FLAG_SEND_FLUSH);
    expect(client.transmissionFlags & NBD_FLAG_READ_ONLY).toBe(0);
    await client.disconnect();
    const old = await NbdClient.connect({ socketPath: socketPath(), exportName: 'ro', useGo: false });
    expect(old.negotiation).toBe('export-name');
    expect(old.transmissionFlags & NBD_FLAG_READ_ONLY).toBe(NBD_FLAG_READ_ONLY);
    await old.disconnect();
  });

  it('reports an unknown export name with the option reply QEMU sent', async () => {
    const error = await NbdClient.connect({ socketPath: socketPath(), exportName: 'nope' }).catch((e: unknown) => e);
    expect((error as QemuAdapterError).code).toBe('NBD_PROTOCOL');
    expect((error as QemuAdapterError).message).toMatch(/NBD_OPT_GO refused with NBD_REP_ERR_UNKNOWN: export 'nope' not present$/);
  });

  it('writes and reads back exact bytes, also at byte granularity', async () => {
    const client = await NbdClient.connect({ socketPath: socketPath(), exportName: 'rw' });
    const data = Uint8Array.from({ length: 4096 }, (_, i) => (i * 7 + 3) & 0xff);
    await client.write(8192, data);
    await client.flush();
    expect(Buffer.from(await client.read(8192, 4096)).equals(Buffer.from(data))).toBe(true);
    await client.write(8193, Uint8Array.of(0xaa, 0xbb, 0xcc));
    expect([...(await client.read(8192, 6))]).toEqual([3, 0xaa, 0xbb, 0xcc, (4 * 7 + 3) & 0xff, (5 * 7 + 3) & 0xff]);
    await client.disconnect();
  });

  it('zeroes with and without NO_HOLE, and trims (which QEMU drops: discard=ignore)', async () => {
    const client = await NbdClient.connect({ socketPath: socketPath(), exportName: 'rw' });
    await client.write(65536, new Uint8Array(8192).fill(0x5a));
    await client.writeZeroes(65536, 1024, false);
    await client.writeZeroes(67584, 1024, true);
    await client.trim(69632, 4096);
    expect(encodeRuns(await client.read(65536, 8192))).toEqual([
      [0, 1024],
      [0x5a, 1024],
      [0, 1024],
      [0x5a, 5120],
    ]);
    const past = await client.writeZeroes(SIZE - 512, 1024, false).catch((e: unknown) => e);
    expect((past as NbdRequestError).errno).toBe('EINVAL');
    await client.disconnect();
  });

  it('keeps many requests in flight and matches replies by handle', async () => {
    const client = await NbdClient.connect({ socketPath: socketPath(), exportName: 'rw' });
    const writes = Array.from({ length: 64 }, (_, i) => client.write(65536 + i * 512, new Uint8Array(512).fill(i + 1)));
    await Promise.all(writes);
    const reads = await Promise.all(Array.from({ length: 64 }, (_, i) => client.read(65536 + (63 - i) * 512, 512)));
    reads.forEach((bytes, i) => expect(new Set(bytes)).toEqual(new Set([64 - i])));
    await client.disconnect();
  });

  it('maps error replies to errno names and stays usable afterwards', async () => {
    const client = await NbdClient.connect({ socketPath: socketPath(), exportName: 'rw' });
    const errnoOf = (p: Promise<unknown>): Promise<string> => p.then(() => 'ok', (e: unknown) => (e as NbdRequestError).errno);
    expect(await errnoOf(client.read(SIZE, 512))).toBe('EINVAL');
    expect(await errnoOf(client.read(SIZE - 256, 512))).toBe('EINVAL');
    expect(await errnoOf(client.write(SIZE, new Uint8Array(512)))).toBe('EINVAL');
    expect(await errnoOf(client.write(SIZE - 1, new Uint8Array(2)))).toBe('EINVAL');
    expect(await errnoOf(client.read(SIZE - 1, 1))).toBe('ok');
    const readOnly = await NbdClient.connect({ socketPath: socketPath(), exportName: 'ro' });
    const denied = await readOnly.write(0, new Uint8Array(512)).catch((e: unknown) => e);
    expect(denied).toBeInstanceOf(NbdRequestError);
    // QEMU 7.2 refuses a write to a read-only export with EROFS, which its NBD server sends as EINVAL.
    expect((denied as NbdRequestError).errno).toBe('EINVAL');
    expect((denied as NbdRequestError).nbdError).toBe(22);
    await readOnly.disconnect();
    expect((await client.read(0, 4)).length).toBe(4);
    await client.disconnect();
  });

  it('rejects requests in flight when the server goes away', async () => {
    const victim = await QemuProcess.start({ label: 'nbd-victim', binary: 'qemu-system-x86_64', timeoutMs: 5000 });
    try {
      await victim.qmp.execute('blockdev-add', { driver: 'null-co', 'node-name': 'null', size: SIZE, 'read-zeroes': true });
      await victim.qmp.execute('nbd-server-start', { addr: { type: 'unix', data: { path: victim.path('nbd.sock') } } });
      await victim.qmp.execute('block-export-add', { type: 'nbd', id: 'n', 'node-name': 'null', name: 'n' });
      const client = await NbdClient.connect({ socketPath: victim.path('nbd.sock'), exportName: 'n' });
      expect([...(await client.read(0, 4))]).toEqual([0, 0, 0, 0]);
      process.kill(victim.pid!, 'SIGSTOP');
      const pending = client.read(0, 512).catch((e: unknown) => e);
      await victim.kill();
      const error = (await pending) as QemuAdapterError;
      expect(error.code).toBe('NBD_CLOSED');
      expect(client.closed).toBe(true);
      expect(((await client.read(0, 1).catch((e: unknown) => e)) as QemuAdapterError).code).toBe('NBD_CLOSED');
    } finally {
      await victim.kill();
    }
  });
});
