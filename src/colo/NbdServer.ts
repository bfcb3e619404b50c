/*
 * One process's NBD server: named exports of BlockBackends. A request is checked the way QEMU's
 * server checks it (past the end: EINVAL or ENOSPC), then runs on the BlockBackend, and a failure
 * comes back as the errno NBD can carry. Removing an export makes later requests fail as a closed
 * connection would (EIO at the client). A request's NBD handle is the guest request id it carries
 * (SimEnv.requestId), so the server's I/O is traced under the id of the request that caused it.
 */
import { BlockError, isBlockError } from '../block/BlockError.js';
import type { BlockBackend } from '../block/BlockBackend.js';
import { PAST_EOF_ERRNO, throughNbd } from './nbdErrno.js';

export class NbdExport {
  constructor(
    readonly name: string,
    readonly blk: BlockBackend,
  ) {}

  get size(): number {
    return this.blk.length;
  }

  async read(offset: number, bytes: number, handle?: number): Promise<Uint8Array> {
    this.checkRange('read', offset, bytes);
    try {
      return await this.blk.read(offset, bytes, handle);
    } catch (error) {
      throw asNbdError(error);
    }
  }

  async write(offset: number, data: Uint8Array, handle?: number): Promise<void> {
    this.checkRange('write', offset, data.length);
    try {
      await this.blk.write(offset, data, handle);
    } catch (error) {
      throw asNbdError(error);
    }
  }

  /**
   * NBD_CMD_WRITE_ZEROES: the server passes BDRV_REQ_MAY_UNMAP unless the client set NO_HOLE; the
   * block layer then drops it, since no node here is opened with discard=unmap. `unmap` changes nothing.
   */
  async writeZeroes(offset: number, bytes: number, _unmap: boolean, requestId?: number): Promise<void> {
    this.checkRange('write-zeroes', offset, bytes);
    try {
      await this.blk.writeZeroes(offset, bytes, requestId);
    } catch (error) {
      throw asNbdError(error);
    }
  }

  /** NBD_CMD_TRIM. */
  async discard(offset: number, bytes: number): Promise<void> {
    this.checkRange('discard', offset, bytes);
    try {
      await this.blk.discard(offset, bytes);
    } catch (error) {
      throw asNbdError(error);
    }
  }

  /** NBD_CMD_FLUSH; its handle is the guest request id, as for the other requests. */
  async flush(handle?: number): Promise<void> {
    try {
      await this.blk.flush(handle);
    } catch (error) {
      throw asNbdError(error);
    }
  }

  /** The server's check of a request's range; a caller may run it before building a large buffer. */
  checkRange(op: keyof typeof PAST_EOF_ERRNO, offset: number, bytes: number): void {
    if (offset > this.size || bytes > this.size - offset) {
      throw new BlockError(PAST_EOF_ERRNO[op], `operation past EOF; From: ${offset}, Len: ${bytes}, Size: ${this.size}`);
    }
  }
}

export class NbdServer {
  private readonly exports = new Map<string, NbdExport>();

  add(name: string, blk: BlockBackend): NbdExport {
    const exp = new NbdExport(name, blk);
    this.exports.set(name, exp);
    return exp;
  }

  remove(name: string): void {
    this.exports.delete(name);
  }

  get(name: string): NbdExport | undefined {
    return this.exports.get(name);
  }
}

function asNbdError(error: unknown): unknown {
  if (!isBlockError(error)) return error;
  return new BlockError(throughNbd(error.errno), error.message);
}
