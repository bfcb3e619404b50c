/*
 * Reads exact byte counts from a stream socket: `await read(n)` resolves with n bytes once they have
 * arrived, in the order asked. One reader at a time (the NBD client reads sequentially: handshake,
 * then reply headers and payloads). When the socket ends, pending and later reads reject.
 */
import type { Socket } from 'node:net';

export class SocketReader {
  private chunks: Buffer[] = [];
  private buffered = 0;
  private waiter: { readonly n: number; readonly resolve: (b: Buffer) => void; readonly reject: (e: Error) => void } | undefined;
  private endError: Error | undefined;

  constructor(socket: Socket, onEndError: (reason: string) => Error) {
    socket.on('data', (chunk: Buffer) => {
      this.chunks.push(chunk);
      this.buffered += chunk.length;
      this.serve();
    });
    const end = (reason: string): void => {
      if (this.endError !== undefined) return;
      this.endError = onEndError(reason);
      this.serve();
    };
    socket.on('end', () => end('the server closed the connection'));
    socket.on('close', () => end('the connection closed'));
    socket.on('error', (error) => end(`socket error: ${error.message}`));
  }

  /** Resolve with exactly n bytes (n may be 0). */
  read(n: number): Promise<Buffer> {
    if (this.waiter !== undefined) throw new Error('SocketReader: concurrent read (a bug in the caller)');
    return new Promise<Buffer>((resolve, reject) => {
      this.waiter = { n, resolve, reject };
      this.serve();
    });
  }

  private serve(): void {
    const waiter = this.waiter;
    if (waiter === undefined) return;
    if (this.buffered >= waiter.n) {
      this.waiter = undefined;
      waiter.resolve(this.take(waiter.n));
    } else if (this.endError !== undefined) {
      this.waiter = undefined;
      waiter.reject(this.endError);
    }
  }

  private take(n: number): Buffer {
    const all = this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks, this.buffered);
    const out = all.subarray(0, n);
    const rest = all.subarray(n);
    this.chunks = rest.length > 0 ? [rest] : [];
    this.buffered = rest.length;
    return out;
  }
}
