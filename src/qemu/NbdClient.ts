/*
 * An NBD client over a unix socket: fixed newstyle handshake, NBD_OPT_GO (falling back to
 * NBD_OPT_EXPORT_NAME when the server answers NBD_REP_ERR_UNSUP), then transmission with simple
 * replies only (structured replies are never negotiated). READ, WRITE, WRITE_ZEROES (with or
 * without NO_HOLE), TRIM, FLUSH and DISC; several
 * requests may be in flight at once and replies are matched by handle. An error reply becomes an
 * NbdRequestError carrying the errno name; it does not break the connection.
 */
import { createConnection, type Socket } from 'node:net';
import {
  NBD_CMD_DISC,
  NBD_CMD_FLAG_NO_HOLE,
  NBD_CMD_FLUSH,
  NBD_CMD_READ,
  NBD_CMD_TRIM,
  NBD_CMD_WRITE,
  NBD_CMD_WRITE_ZEROES,
  NBD_EXPORT_NAME_ZEROES_BYTES,
  NBD_FLAG_C_FIXED_NEWSTYLE,
  NBD_FLAG_C_NO_ZEROES,
  NBD_FLAG_FIXED_NEWSTYLE,
  NBD_FLAG_NO_ZEROES,
  NBD_IHAVEOPT,
  NBD_INFO_EXPORT,
  NBD_MAGIC,
  NBD_OPT_EXPORT_NAME,
  NBD_OPT_GO,
  NBD_OPT_REPLY_MAGIC,
  NBD_REP_ACK,
  NBD_REP_ERR_UNSUP,
  NBD_REP_FLAG_ERROR,
  NBD_REP_INFO,
  NBD_REQUEST_HEADER_BYTES,
  NBD_REQUEST_MAGIC,
  NBD_SIMPLE_REPLY_HEADER_BYTES,
  NBD_SIMPLE_REPLY_MAGIC,
  type NbdErrno,
  nbdErrnoName,
  optionReplyTypeName,
} from './NbdProtocol.js';
import { QemuAdapterError } from './QemuAdapterError.js';
import { SocketReader } from './SocketReader.js';

export const DEFAULT_NBD_TIMEOUT_MS = 10_000;

export interface NbdConnectOptions {
  readonly socketPath: string;
  readonly exportName: string;
  readonly timeoutMs?: number;
  /** Try NBD_OPT_GO first (default true); false goes straight to NBD_OPT_EXPORT_NAME. */
  readonly useGo?: boolean;
}

/** A request the server answered with an error; the connection stays usable. */
export class NbdRequestError extends Error {
  readonly code = 'NBD_REQUEST_FAILED';

  constructor(
    readonly errno: NbdErrno,
    /** The error number as it was on the wire. */
    readonly nbdError: number,
    readonly command: string,
  ) {
    super(`NBD ${command} failed: ${errno}`);
    this.name = 'NbdRequestError';
  }
}

interface ExportInfo {
  readonly sizeBytes: number;
  readonly transmissionFlags: number;
  readonly negotiation: 'go' | 'export-name';
}

interface InFlight {
  readonly command: string;
  /** Payload bytes a successful reply carries (reads only). */
  readonly replyBytes: number;
  readonly resolve: (payload: Buffer) => void;
  readonly reject: (error: Error) => void;
  readonly timer: NodeJS.Timeout;
  settled: boolean;
}

export class NbdClient {
  private nextHandle = 1n;
  private readonly inFlight = new Map<bigint, InFlight>();
  private closedError: QemuAdapterError | undefined;

  private constructor(
    private readonly socket: Socket,
    private readonly reader: SocketReader,
    private readonly info: ExportInfo,
    readonly label: string,
    private readonly timeoutMs: number,
  ) {
    socket.on('close', () => this.fail('the connection closed'));
    void this.receiveLoop();
  }

  static async connect(options: NbdConnectOptions): Promise<NbdClient> {
    const timeoutMs = options.timeoutMs ?? DEFAULT_NBD_TIMEOUT_MS;
    const label = `nbd ${options.socketPath} export "${options.exportName}"`;
    const socket = await openSocket(options.socketPath, timeoutMs, label);
    const reader = new SocketReader(socket, (reason) => new QemuAdapterError('NBD_CLOSED', `${label}: ${reason}`));
    const timer = setTimeout(() => socket.destroy(new Error(`handshake took longer than ${timeoutMs} ms`)), timeoutMs);
    try {
      const info = await handshake(socket, reader, options.exportName, options.useGo ?? true, label);
      return new NbdClient(socket, reader, info, label, timeoutMs);
    } catch (error) {
      socket.destroy();
      throw error;
    } finally {
      clearTimeout(timer);
    }
  }

  get sizeBytes(): number {
    return this.info.sizeBytes;
  }

  get transmissionFlags(): number {
    return this.info.transmissionFlags;
  }

  /** Which option opened the export: NBD_OPT_GO, or the EXPORT_NAME fallback. */
  get negotiation(): 'go' | 'export-name' {
    return this.info.negotiation;
  }

  get closed(): boolean {
    return this.closedError !== undefined;
  }

  read(offset: number, length: number): Promise<Uint8Array> {
    return this.request(NBD_CMD_READ, 'READ', offset, length, undefined, length);
  }

  async write(offset: number, data: Uint8Array): Promise<void> {
    await this.request(NBD_CMD_WRITE, 'WRITE', offset, data.length, data, 0);
  }

  /** NBD_CMD_WRITE_ZEROES; without `unmap` it carries NBD_CMD_FLAG_NO_HOLE (keep the range allocated). */
  async writeZeroes(offset: number, length: number, unmap: boolean): Promise<void> {
    await this.request(NBD_CMD_WRITE_ZEROES, 'WRITE_ZEROES', offset, length, undefined, 0, unmap ? 0 : NBD_CMD_FLAG_NO_HOLE);
  }

  /** NBD_CMD_TRIM. */
  async trim(offset: number, length: number): Promise<void> {
    await this.request(NBD_CMD_TRIM, 'TRIM', offset, length, undefined, 0);
  }

  async flush(): Promise<void> {
    await this.request(NBD_CMD_FLUSH, 'FLUSH', 0, 0, undefined, 0);
  }

  /** Send NBD_CMD_DISC (no reply exists) and close; requests still in flight reject with NBD_CLOSED. */
  async disconnect(): Promise<void> {
    if (this.closedError === undefined) {
      this.socket.write(requestHeader(NBD_CMD_DISC, this.nextHandle++, 0, 0));
      this.fail('the client disconnected');
      await new Promise<void>((resolve) => this.socket.end(resolve));
    }
    this.socket.destroy();
  }

  private request(type: number, command: string, offset: number, length: number, data: Uint8Array | undefined, replyBytes: number, flags = 0): Promise<Buffer> {
    return new Promise<Buffer>((resolve, reject) => {
      if (this.closedError !== undefined) return reject(this.closedError);
      const handle = this.nextHandle++;
      const timer = setTimeout(() => {
        const call = this.inFlight.get(handle);
        if (call === undefined || call.settled) return;
        call.settled = true; // stays in the map so the late reply's payload is still consumed
        reject(new QemuAdapterError('NBD_TIMEOUT', `${this.label}: no reply to ${command} (offset ${offset}, length ${length}) within ${this.timeoutMs} ms`));
      }, this.timeoutMs);
      this.inFlight.set(handle, { command, replyBytes, resolve, reject, timer, settled: false });
      this.socket.write(requestHeader(type, handle, offset, length, flags));
      if (data !== undefined && data.length > 0) this.socket.write(data);
    });
  }

  private async receiveLoop(): Promise<void> {
    try {
      for (;;) {
        const header = await this.reader.read(NBD_SIMPLE_REPLY_HEADER_BYTES);
        const magic = header.readUInt32BE(0);
        if (magic !== NBD_SIMPLE_REPLY_MAGIC) throw this.protocolError(`reply magic 0x${magic.toString(16)} is not the simple reply magic`);
        const error = header.readUInt32BE(4);
        const handle = header.readBigUInt64BE(8);
        const call = this.inFlight.get(handle);
        if (call === undefined) throw this.protocolError(`reply for unknown handle ${handle}`);
        const payload = error === 0 ? await this.reader.read(call.replyBytes) : Buffer.alloc(0);
        this.inFlight.delete(handle);
        clearTimeout(call.timer);
        if (call.settled) continue;
        call.settled = true;
        if (error === 0) call.resolve(payload);
        else call.reject(new NbdRequestError(nbdErrnoName(error), error, call.command));
      }
    } catch (error) {
      this.fail(error instanceof QemuAdapterError ? error.message : String(error));
      this.socket.destroy();
    }
  }

  private protocolError(what: string): QemuAdapterError {
    return new QemuAdapterError('NBD_PROTOCOL', `${this.label}: ${what}`);
  }

  private fail(reason: string): void {
    if (this.closedError !== undefined) return;
    this.closedError = new QemuAdapterError('NBD_CLOSED', reason.startsWith(this.label) ? reason : `${this.label}: ${reason}`);
    for (const call of this.inFlight.values()) {
      clearTimeout(call.timer);
      if (!call.settled) call.reject(this.closedError);
      call.settled = true;
    }
    this.inFlight.clear();
  }
}

function requestHeader(type: number, handle: bigint, offset: number, length: number, flags = 0): Buffer {
  const header = Buffer.alloc(NBD_REQUEST_HEADER_BYTES);
  header.writeUInt32BE(NBD_REQUEST_MAGIC, 0);
  header.writeUInt16BE(flags, 4); // command flags: NO_HOLE on write-zeroes only (never FUA or DF)
  header.writeUInt16BE(type, 6);
  header.writeBigUInt64BE(handle, 8);
  header.writeBigUInt64BE(BigInt(offset), 16);
  header.writeUInt32BE(length, 24);
  return header;
}

async function handshake(socket: Socket, reader: SocketReader, exportName: string, useGo: boolean, label: string): Promise<ExportInfo> {
  const hello = await reader.read(18);
  if (hello.readBigUInt64BE(0) !== NBD_MAGIC) throw new QemuAdapterError('NBD_PROTOCOL', `${label}: the server did not start with NBDMAGIC`);
  if (hello.readBigUInt64BE(8) !== NBD_IHAVEOPT) throw new QemuAdapterError('NBD_PROTOCOL', `${label}: not a newstyle server (oldstyle is not supported)`);
  const serverFlags = hello.readUInt16BE(16);
  if ((serverFlags & NBD_FLAG_FIXED_NEWSTYLE) === 0) throw new QemuAdapterError('NBD_PROTOCOL', `${label}: the server does not offer fixed newstyle`);
  const noZeroes = (serverFlags & NBD_FLAG_NO_ZEROES) !== 0;
  const clientFlags = Buffer.alloc(4);
  clientFlags.writeUInt32BE(NBD_FLAG_C_FIXED_NEWSTYLE | (noZeroes ? NBD_FLAG_C_NO_ZEROES : 0));
  socket.write(clientFlags);
  if (useGo) {
    const info = await optGo(socket, reader, exportName, label);
    if (info !== undefined) return info;
  }
  return optExportName(socket, reader, exportName, noZeroes, label);
}

function optionHeader(option: number, dataBytes: number): Buffer {
  const header = Buffer.alloc(16);
  header.writeBigUInt64BE(NBD_IHAVEOPT, 0);
  header.writeUInt32BE(option, 8);
  header.writeUInt32BE(dataBytes, 12);
  return header;
}

/** NBD_OPT_GO without information requests; undefined when the server does not support GO. */
async function optGo(socket: Socket, reader: SocketReader, exportName: string, label: string): Promise<ExportInfo | undefined> {
  const name = Buffer.from(exportName, 'utf8');
  const data = Buffer.alloc(4 + name.length + 2);
  data.writeUInt32BE(name.length, 0);
  name.copy(data, 4);
  data.writeUInt16BE(0, 4 + name.length); // no NBD_INFO requests: the server sends NBD_INFO_EXPORT anyway
  socket.write(Buffer.concat([optionHeader(NBD_OPT_GO, data.length), data]));
  let info: { sizeBytes: number; transmissionFlags: number } | undefined;
  for (;;) {
    const reply = await reader.read(20);
    if (reply.readBigUInt64BE(0) !== NBD_OPT_REPLY_MAGIC) throw new QemuAdapterError('NBD_PROTOCOL', `${label}: bad option reply magic`);
    const type = reply.readUInt32BE(12);
    const body = await reader.read(reply.readUInt32BE(16));
    if (type === NBD_REP_ERR_UNSUP) return undefined;
    if ((type & NBD_REP_FLAG_ERROR) !== 0) {
      const text = body.length > 0 ? `: ${body.toString('utf8')}` : '';
      throw new QemuAdapterError('NBD_PROTOCOL', `${label}: NBD_OPT_GO refused with ${optionReplyTypeName(type)}${text}`);
    }
    if (type === NBD_REP_INFO && body.length >= 12 && body.readUInt16BE(0) === NBD_INFO_EXPORT) {
      info = { sizeBytes: Number(body.readBigUInt64BE(2)), transmissionFlags: body.readUInt16BE(10) };
    } else if (type === NBD_REP_ACK) {
      if (info === undefined) throw new QemuAdapterError('NBD_PROTOCOL', `${label}: NBD_OPT_GO acknowledged without NBD_INFO_EXPORT`);
      return { ...info, negotiation: 'go' };
    }
  }
}

async function optExportName(socket: Socket, reader: SocketReader, exportName: string, noZeroes: boolean, label: string): Promise<ExportInfo> {
  const name = Buffer.from(exportName, 'utf8');
  socket.write(Buffer.concat([optionHeader(NBD_OPT_EXPORT_NAME, name.length), name]));
  let answer: Buffer;
  try {
    answer = await reader.read(10 + (noZeroes ? 0 : NBD_EXPORT_NAME_ZEROES_BYTES));
  } catch (error) {
    // EXPORT_NAME has no error reply: a server without the export just hangs up.
    throw new QemuAdapterError('NBD_PROTOCOL', `${label}: the server closed the connection after NBD_OPT_EXPORT_NAME (no such export?)`, { cause: error });
  }
  return { sizeBytes: Number(answer.readBigUInt64BE(0)), transmissionFlags: answer.readUInt16BE(8), negotiation: 'export-name' };
}

function openSocket(path: string, timeoutMs: number, label: string): Promise<Socket> {
  return new Promise<Socket>((resolve, reject) => {
    const socket = createConnection({ path });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new QemuAdapterError('NBD_TIMEOUT', `${label}: could not connect within ${timeoutMs} ms`));
    }, timeoutMs);
    socket.once('connect', () => {
      clearTimeout(timer);
      resolve(socket);
    });
    socket.once('error', (error) => {
      clearTimeout(timer);
      reject(new QemuAdapterError('NBD_CLOSED', `${label}: could not connect: ${error.message}`, { cause: error }));
    });
  });
}
