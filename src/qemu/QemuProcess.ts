/*
 * One QEMU process with no guest: `qemu-system-x86_64 -M none -nodefaults -display none` with its
 * QMP socket in a private temp directory (TempDirs.ts: under /tmp when TMPDIR is too long for a
 * socket path). start() waits for the socket and the greeting; a QEMU that exits or stops answering
 * meanwhile fails it with QEMU_START_FAILED or QEMU_HUNG, naming the process and how it ended. stop()
 * asks QEMU to quit and kills it with SIGKILL after a timeout; kill() kills at once. The process
 * dies with colosim (spawnBound.ts), and it and the directory are registered with ChildRegistry
 * until they are gone, so a signal or an exception never leaves them behind.
 */
import type { ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { removeDirectory, trackChild, untrackChild } from './ChildRegistry.js';
import { QemuAdapterError } from './QemuAdapterError.js';
import { DEFAULT_QMP_TIMEOUT_MS, QmpClient } from './QmpClient.js';
import { QEMU_INSTALL_HINT } from './QemuTools.js';
import { spawnBound } from './spawnBound.js';
import { makeSocketDir } from './TempDirs.js';

export interface QemuStartOptions {
  /** Shown in messages: "primary", "secondary". */
  readonly label: string;
  readonly binary: string;
  /** How long QMP waits (start-up, every command) before QEMU counts as hung. */
  readonly timeoutMs?: number;
}

export interface ExitInfo {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

export type StopOutcome = 'quit' | 'killed' | 'already-exited';

const OUTPUT_TAIL_CHARS = 4000;
/** How much of QEMU's last output a one-line message quotes. */
const OUTPUT_LINE_CHARS = 400;
/** How long a closed QMP socket may precede the exit status during start-up. */
const START_EXIT_WAIT_MS = 1000;
const CONNECT_RETRY_MS = 5;

export class QemuProcess {
  private outputTail = '';
  private exitInfo: ExitInfo | undefined;
  private readonly exitPromise: Promise<ExitInfo>;
  private dirRemoved = false;
  /** Set once colosim asked the process to end (quit or SIGKILL): any other exit is a crash. */
  private endRequested = false;

  private constructor(
    private readonly child: ChildProcess,
    readonly label: string,
    /** This process's private temp directory (sockets live here). */
    readonly dir: string,
    readonly timeoutMs: number,
  ) {
    this.exitPromise = new Promise<ExitInfo>((resolve) => {
      child.once('exit', (code, signal) => {
        this.exitInfo = { code, signal };
        resolve(this.exitInfo);
      });
    });
    const keep = (chunk: Buffer): void => {
      this.outputTail = (this.outputTail + chunk.toString('utf8')).slice(-OUTPUT_TAIL_CHARS);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
  }

  private qmpClient: QmpClient | undefined;

  static async start(options: QemuStartOptions): Promise<QemuProcess> {
    const dir = makeSocketDir(options.label, 'qmp.sock');
    const qmpPath = join(dir, 'qmp.sock');
    const args = ['-M', 'none', '-nodefaults', '-no-user-config', '-display', 'none', '-qmp', `unix:${qmpPath},server=on,wait=off`];
    const child = spawnBound(options.binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    trackChild(child);
    const qemu = new QemuProcess(child, options.label, dir, options.timeoutMs ?? DEFAULT_QMP_TIMEOUT_MS);
    try {
      await qemu.spawned();
      qemu.qmpClient = await qemu.connect(qmpPath);
    } catch (error) {
      const failure = await qemu.startFailure(error);
      await qemu.kill();
      throw failure;
    }
    void qemu.exitPromise.then(() => qemu.qmpClient?.close(qemu.exitNote()));
    return qemu;
  }

  get qmp(): QmpClient {
    if (this.qmpClient === undefined) throw new QemuAdapterError('QMP_CLOSED', `${this.label} QEMU has no QMP connection`);
    return this.qmpClient;
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get exited(): boolean {
    return this.exitInfo !== undefined;
  }

  /** How the process ended, once it has. */
  get exit(): ExitInfo | undefined {
    return this.exitInfo;
  }

  /** The process exited without colosim asking it to (quit or kill): QEMU crashed or aborted. */
  get crashed(): boolean {
    return this.exitInfo !== undefined && !this.endRequested;
  }

  /** Wait up to `ms` for the process to exit; whether it has. */
  async exitedWithin(ms: number): Promise<boolean> {
    if (this.exited || ms <= 0) return this.exited;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(false), ms);
    });
    try {
      return await Promise.race([this.exitPromise.then(() => true), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * After a lost QMP connection: how the process ended, if it did within `ms` (the socket error often
   * arrives before the exit status), with what it printed last; undefined while it still runs.
   */
  async deathNote(ms: number): Promise<string | undefined> {
    if (!(await this.exitedWithin(ms))) return undefined;
    return withLastOutput(this.exitNote(), this.outputLine);
  }

  /** What QEMU printed last (stdout and stderr), for error messages. */
  get output(): string {
    return this.outputTail;
  }

  /** The end of what QEMU printed, on one line (for one-line messages); '' when it printed nothing. */
  get outputLine(): string {
    const line = this.outputTail.trim().replace(/\s*\n\s*/g, ' | ');
    return line.length <= OUTPUT_LINE_CHARS ? line : `...${line.slice(-OUTPUT_LINE_CHARS)}`;
  }

  /**
   * What a failed start-up says: the QMP connection closed because QEMU exited (how, with its last
   * output), or QEMU did not answer in time (hung); other errors unchanged.
   */
  private async startFailure(error: unknown): Promise<unknown> {
    if (!(error instanceof QemuAdapterError)) return error;
    if (error.code === 'QMP_TIMEOUT') {
      return new QemuAdapterError('QEMU_HUNG', `${this.label} QEMU hung during start-up: ${error.message.replace(`${this.label} QEMU: `, '')}`, { cause: error });
    }
    if ((error.code === 'QMP_CLOSED' || error.code === 'QMP_PROTOCOL') && (await this.exitedWithin(START_EXIT_WAIT_MS))) {
      const output = this.outputLine;
      const during = error.message.replace(`${this.label} QEMU: `, '');
      return new QemuAdapterError('QEMU_START_FAILED', `${this.label} QEMU exited during start-up (${describeExit(this.exitInfo!)}); ${during}${output === '' ? '' : `; its last output: ${output}`}`, {
        cause: error,
      });
    }
    return error;
  }

  /** "<label> QEMU exited (killed by SIGSEGV)", once it has. */
  private exitNote(): string {
    return `${this.label} QEMU exited (${describeExit(this.exitInfo!)})`;
  }

  /** A path inside this process's temp directory. */
  path(name: string): string {
    return join(this.dir, name);
  }

  waitExit(): Promise<ExitInfo> {
    return this.exitPromise;
  }

  /** Ask QEMU to quit; SIGKILL it if it has not exited within the timeout. Always removes the temp dir. */
  async stop(timeoutMs = this.timeoutMs): Promise<StopOutcome> {
    if (this.exited) {
      this.cleanupDir();
      return 'already-exited';
    }
    this.endRequested = true;
    void this.qmpClient?.execute('quit', undefined, { timeoutMs }).catch(() => undefined);
    if (await this.exitedWithin(timeoutMs)) {
      this.cleanupDir();
      return 'quit';
    }
    await this.kill();
    return 'killed';
  }

  /** SIGKILL (what a crashed host looks like to its peer), wait for the exit, remove the temp dir. */
  async kill(): Promise<void> {
    // A binary that never spawned (ENOENT) has no process and never emits 'exit'.
    const spawned = this.child.pid !== undefined;
    if (!this.exited) this.endRequested = true;
    if (spawned && !this.exited) this.child.kill('SIGKILL');
    // The exit closes the QMP client (start() arranges it) before this await resumes.
    if (spawned) await this.exitPromise;
    untrackChild(this.child);
    this.cleanupDir();
  }

  private cleanupDir(): void {
    if (this.dirRemoved) return;
    this.dirRemoved = true;
    removeDirectory(this.dir);
  }

  private spawned(): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.child.once('spawn', () => resolve());
      this.child.once('error', (error: NodeJS.ErrnoException) => {
        const missing = error.code === 'ENOENT';
        const message = missing ? `QEMU is not installed: cannot run ${error.path ?? 'qemu-system-x86_64'}; ${QEMU_INSTALL_HINT}` : `cannot start ${this.label} QEMU: ${error.message}`;
        reject(new QemuAdapterError(missing ? 'QEMU_MISSING' : 'QEMU_START_FAILED', message, { cause: error }));
      });
    });
  }

  /** Poll the socket until QEMU listens (it creates it early), or fail if QEMU exits or is too slow. */
  private async connect(qmpPath: string): Promise<QmpClient> {
    const deadline = Date.now() + this.timeoutMs;
    for (;;) {
      if (this.exitInfo !== undefined) {
        const output = this.outputLine;
        throw new QemuAdapterError('QEMU_START_FAILED', `${this.label} QEMU exited during start-up (${describeExit(this.exitInfo)})${output === '' ? '' : `: ${output}`}`);
      }
      try {
        return await QmpClient.connect(qmpPath, { label: `${this.label} QEMU`, timeoutMs: this.timeoutMs });
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code !== 'ENOENT' && code !== 'ECONNREFUSED') throw error;
      }
      if (Date.now() > deadline) {
        throw new QemuAdapterError('QEMU_HUNG', `${this.label} QEMU hung during start-up: no QMP socket within ${this.timeoutMs} ms`);
      }
      await delay(CONNECT_RETRY_MS);
    }
  }
}

/** A note on how a process ended, with what it printed last ('' when it printed nothing). */
export function withLastOutput(note: string, output: string): string {
  return `${note}${output === '' ? '' : `, its last output: ${output}`}`;
}

export function describeExit(info: ExitInfo): string {
  return info.signal !== null ? `killed by ${info.signal}` : `exit code ${info.code}`;
}

/**
 * A timer that keeps Node running: with an unref()ed one, a start-up whose QEMU had died left
 * nothing else pending, and Node exited 0 in the middle of main().
 */
function delay(ms: number): Promise<void> {
  return new Promise<void>((resolve) => setTimeout(resolve, ms));
}
