/*
 * A QMP client over a unix socket: reads the greeting, negotiates capabilities, sends commands with
 * an `id` and matches answers by it, and queues asynchronous events so a caller can wait for one by
 * name. Every wait has a timeout that names what was waited for; when the socket closes (QEMU exited
 * or was killed) every pending call rejects at once. It speaks plain QMP only (no OOB).
 */
import { createConnection, type Socket } from 'node:net';
import { QemuAdapterError } from './QemuAdapterError.js';
import { QmpError } from './QmpError.js';

export const DEFAULT_QMP_TIMEOUT_MS = 10_000;
/** Events beyond this are dropped oldest-first, so a chatty QEMU cannot grow memory without bound. */
const EVENT_QUEUE_MAX = 1024;

export interface QmpGreeting {
  readonly QMP: {
    readonly version: { readonly qemu: { readonly major: number; readonly minor: number; readonly micro: number }; readonly package: string };
    readonly capabilities: readonly string[];
  };
}

export interface QmpEvent {
  readonly event: string;
  readonly data?: Record<string, unknown>;
  readonly timestamp?: { readonly seconds: number; readonly microseconds: number };
}

export interface QmpCallOptions {
  readonly timeoutMs?: number;
}

export interface QmpEventWaitOptions extends QmpCallOptions {
  /** Only events for which this returns true end the wait (others stay queued). */
  readonly match?: (event: QmpEvent) => boolean;
}

interface Pending {
  readonly what: string;
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: Error) => void;
  readonly timer: NodeJS.Timeout;
}

interface EventWaiter {
  readonly name: string;
  readonly match: (event: QmpEvent) => boolean;
  readonly resolve: (event: QmpEvent) => void;
  readonly reject: (error: Error) => void;
  readonly timer: NodeJS.Timeout;
}

export class QmpClient {
  private buffer = '';
  private nextId = 1;
  private readonly pending = new Map<string, Pending>();
  private greetingWait: Pending | undefined;
  private readonly events: QmpEvent[] = [];
  private eventWaiters: EventWaiter[] = [];
  private closedReason: string | undefined;
  private greetingValue: QmpGreeting | undefined;

  private constructor(
    private readonly socket: Socket,
    readonly label: string,
    private readonly defaultTimeoutMs: number,
  ) {
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => this.onData(chunk));
    socket.on('error', (error) => this.shutdown(`socket error: ${error.message}`));
    socket.on('close', () => this.shutdown('the QMP socket closed'));
  }

  /** Connect to a QMP socket, read the greeting and leave capabilities negotiation mode. */
  static async connect(path: string, options: QmpCallOptions & { readonly label?: string } = {}): Promise<QmpClient> {
    const timeoutMs = options.timeoutMs ?? DEFAULT_QMP_TIMEOUT_MS;
    const socket = await openSocket(path, timeoutMs);
    const client = new QmpClient(socket, options.label ?? path, timeoutMs);
    try {
      await client.readGreeting(timeoutMs);
      await client.execute('qmp_capabilities', undefined, { timeoutMs });
    } catch (error) {
      client.close();
      throw error;
    }
    return client;
  }

  get greeting(): QmpGreeting {
    if (this.greetingValue === undefined) throw new QemuAdapterError('QMP_PROTOCOL', `${this.label}: no QMP greeting yet`);
    return this.greetingValue;
  }

  get closed(): boolean {
    return this.closedReason !== undefined;
  }

  /** Run one command; resolves with its `return` value, rejects with QmpError on a QMP error. */
  execute<T = unknown>(command: string, args?: Record<string, unknown>, options: QmpCallOptions = {}): Promise<T> {
    const id = `colosim-${this.nextId++}`;
    const message = args === undefined ? { execute: command, id } : { execute: command, arguments: args, id };
    return new Promise<T>((resolve, reject) => {
      if (this.closedReason !== undefined) {
        reject(this.closedError(`'${command}'`));
        return;
      }
      const timeoutMs = options.timeoutMs ?? this.defaultTimeoutMs;
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new QemuAdapterError('QMP_TIMEOUT', `${this.label}: no answer to QMP command '${command}' within ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(id, { what: `'${command}'`, resolve: resolve as (value: unknown) => void, reject, timer });
      this.socket.write(`${JSON.stringify(message)}\n`);
    });
  }

  /** Wait for the next event called `name` (queued ones first, oldest first); the event is consumed. */
  waitEvent(name: string, options: QmpEventWaitOptions = {}): Promise<QmpEvent> {
    const match = options.match ?? (() => true);
    const queued = this.events.findIndex((e) => e.event === name && match(e));
    if (queued >= 0) return Promise.resolve(this.events.splice(queued, 1)[0]!);
    return new Promise<QmpEvent>((resolve, reject) => {
      if (this.closedReason !== undefined) {
        reject(this.closedError(`event ${name}`));
        return;
      }
      const timeoutMs = options.timeoutMs ?? this.defaultTimeoutMs;
      const timer = setTimeout(() => {
        this.eventWaiters = this.eventWaiters.filter((w) => w !== waiter);
        reject(new QemuAdapterError('QMP_TIMEOUT', `${this.label}: no QMP event ${name} within ${timeoutMs} ms`));
      }, timeoutMs);
      const waiter: EventWaiter = { name, match, resolve, reject, timer };
      this.eventWaiters.push(waiter);
    });
  }

  /** Take every queued event (oldest first) and empty the queue. */
  takeEvents(): QmpEvent[] {
    return this.events.splice(0, this.events.length);
  }

  /** Close the connection; pending calls reject with QMP_CLOSED naming `reason`. */
  close(reason = 'the client closed the connection'): void {
    this.shutdown(reason);
    this.socket.destroy();
  }

  private readGreeting(timeoutMs: number): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      if (this.greetingValue !== undefined) return resolve();
      if (this.closedReason !== undefined) return reject(this.closedError('the QMP greeting'));
      const timer = setTimeout(() => {
        this.greetingWait = undefined;
        reject(new QemuAdapterError('QMP_TIMEOUT', `${this.label}: no QMP greeting within ${timeoutMs} ms`));
      }, timeoutMs);
      this.greetingWait = { what: 'the QMP greeting', resolve: () => resolve(), reject, timer };
    });
  }

  private onData(chunk: string): void {
    this.buffer += chunk;
    let newline = this.buffer.indexOf('\n');
    while (newline >= 0) {
      const line = this.buffer.slice(0, newline).trim();
      this.buffer = this.buffer.slice(newline + 1);
      if (line !== '') this.onLine(line);
      newline = this.buffer.indexOf('\n');
    }
  }

  private onLine(line: string): void {
    let message: unknown;
    try {
      message = JSON.parse(line);
    } catch {
      this.close(`QEMU sent a line that is not JSON: ${line.slice(0, 200)}`);
      return;
    }
    if (!isObject(message)) return this.close(`QEMU sent JSON that is not an object: ${line.slice(0, 200)}`);
    if ('QMP' in message) return this.onGreeting(message as unknown as QmpGreeting);
    if (typeof message.event === 'string') return this.onEvent(message as unknown as QmpEvent);
    this.onAnswer(message);
  }

  private onGreeting(greeting: QmpGreeting): void {
    this.greetingValue = greeting;
    const wait = this.greetingWait;
    this.greetingWait = undefined;
    if (wait !== undefined) {
      clearTimeout(wait.timer);
      wait.resolve(undefined);
    }
  }

  private onEvent(event: QmpEvent): void {
    const waiter = this.eventWaiters.find((w) => w.name === event.event && w.match(event));
    if (waiter !== undefined) {
      this.eventWaiters = this.eventWaiters.filter((w) => w !== waiter);
      clearTimeout(waiter.timer);
      waiter.resolve(event);
      return;
    }
    this.events.push(event);
    if (this.events.length > EVENT_QUEUE_MAX) this.events.shift();
  }

  private onAnswer(message: Record<string, unknown>): void {
    const id = typeof message.id === 'string' ? message.id : undefined;
    const call = id === undefined ? undefined : this.pending.get(id);
    if (id === undefined || call === undefined) return; // an answer to a call that already timed out
    this.pending.delete(id);
    clearTimeout(call.timer);
    if ('return' in message) return call.resolve(message.return);
    const error = message.error;
    if (isObject(error) && typeof error.class === 'string' && typeof error.desc === 'string') {
      return call.reject(new QmpError(error.class, error.desc, call.what.slice(1, -1)));
    }
    call.reject(new QemuAdapterError('QMP_PROTOCOL', `${this.label}: answer to ${call.what} has neither return nor error: ${JSON.stringify(message)}`));
  }

  private shutdown(reason: string): void {
    if (this.closedReason !== undefined) return;
    this.closedReason = reason;
    const calls = [...this.pending.values()];
    this.pending.clear();
    if (this.greetingWait !== undefined) calls.push(this.greetingWait);
    this.greetingWait = undefined;
    for (const call of calls) {
      clearTimeout(call.timer);
      call.reject(this.closedError(call.what));
    }
    const waiters = this.eventWaiters;
    this.eventWaiters = [];
    for (const waiter of waiters) {
      clearTimeout(waiter.timer);
      waiter.reject(this.closedError(`event ${waiter.name}`));
    }
  }

  private closedError(what: string): QemuAdapterError {
    return new QemuAdapterError('QMP_CLOSED', `${this.label}: QMP connection closed while waiting for ${what} (${this.closedReason})`);
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function openSocket(path: string, timeoutMs: number): Promise<Socket> {
  return new Promise<Socket>((resolve, reject) => {
    const socket = createConnection({ path });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new QemuAdapterError('QMP_TIMEOUT', `${path}: could not connect to the QMP socket within ${timeoutMs} ms`));
    }, timeoutMs);
    socket.once('connect', () => {
      clearTimeout(timer);
      socket.removeAllListeners('error');
      resolve(socket);
    });
    socket.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
  });
}
