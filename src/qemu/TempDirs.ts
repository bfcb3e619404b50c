/*
 * Where the QEMU adapter puts its temporary files: directories named colosim-qemu-<pid>-<kind>-XXXXXX,
 * so that whoever finds one knows which process owns it. The first directory a process makes
 * starts the watchdog (Watchdog.ts, which removes them when the process dies, even by SIGKILL) and
 * sweeps the directories of owners that no longer run. A unix socket path has at most 107 bytes
 * (sun_path), so a directory meant for sockets falls back to /tmp when TMPDIR is too long for it.
 * Limits: a directory whose owner pid was reused by an unrelated process is left until that one
 * ends; processes in another pid namespace sharing the same /tmp look dead and would be swept.
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { trackDirectory } from './ChildRegistry.js';
import { QemuAdapterError } from './QemuAdapterError.js';
import { startWatchdog } from './Watchdog.js';

export const TEMP_DIR_PREFIX = 'colosim-qemu-';
/** sun_path is 108 bytes with the terminating NUL. */
export const SOCKET_PATH_MAX_BYTES = 107;
/** Where socket directories go when TMPDIR is too long for a socket path. */
export const SHORT_TEMP_ROOT = '/tmp';

let started = false;

/** "colosim-qemu-<pid>-": the start of every directory `pid` owns. */
export function ownerPrefix(pid: number = process.pid): string {
  return `${TEMP_DIR_PREFIX}${pid}-`;
}

/** The roots this process's directories may be in (TMPDIR and the short fallback). */
export function tempRoots(): string[] {
  return [...new Set([tmpdir(), SHORT_TEMP_ROOT])];
}

/** A new directory colosim-qemu-<pid>-<kind>-XXXXXX under TMPDIR, registered for clean-up. */
export function makeTempDir(kind: string): string {
  return makeIn(tmpdir(), kind);
}

/**
 * A new directory for unix sockets called at most `longestName`: under TMPDIR when the socket
 * paths fit in sun_path, else under /tmp; QEMU_START_FAILED when neither gives a short enough path.
 */
export function makeSocketDir(kind: string, longestName: string): string {
  for (const root of tempRoots()) {
    // mkdtemp adds six characters to the prefix.
    const path = join(root, `${ownerPrefix()}${kind}-XXXXXX`, longestName);
    if (Buffer.byteLength(path) <= SOCKET_PATH_MAX_BYTES) return makeIn(root, kind);
  }
  const length = Buffer.byteLength(tmpdir());
  throw new QemuAdapterError(
    'QEMU_START_FAILED',
    `cannot place QEMU's QMP socket: TMPDIR (${length} bytes) and ${SHORT_TEMP_ROOT} give socket paths longer than ${SOCKET_PATH_MAX_BYTES} bytes; set TMPDIR to a shorter directory`,
  );
}

function makeIn(root: string, kind: string): string {
  beginSession();
  let dir: string;
  try {
    dir = mkdtempSync(join(root, `${ownerPrefix()}${kind}-`));
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    throw new QemuAdapterError('QEMU_START_FAILED', `cannot create a temp directory for QEMU under ${root}: ${reason}`, { cause: error });
  }
  trackDirectory(dir);
  return dir;
}

/** Once per process, before its first directory or child: sweep the dead owners' directories, start the watchdog. */
export function beginSession(): void {
  if (started) return;
  started = true;
  sweepStaleDirs();
  startWatchdog(process.pid, tempRoots());
}

/** Remove the colosim-qemu-<pid>-* directories whose owner no longer runs; returns their paths. */
export function sweepStaleDirs(roots: readonly string[] = tempRoots()): string[] {
  const removed: string[] = [];
  for (const root of roots) {
    let entries: string[];
    try {
      entries = readdirSync(root);
    } catch {
      continue; // a root that does not exist has nothing to sweep
    }
    for (const entry of entries) {
      const owner = ownerOf(entry);
      if (owner === undefined || owner === process.pid || processExists(owner)) continue;
      rmSync(join(root, entry), { recursive: true, force: true });
      removed.push(join(root, entry));
    }
  }
  return removed;
}

/** The owner pid of a directory name made here, or undefined for any other name. */
export function ownerOf(name: string): number | undefined {
  const match = /^colosim-qemu-(\d+)-/.exec(name);
  return match === null ? undefined : Number(match[1]);
}

/** Whether a process with this pid exists (EPERM: it does, under another user). */
export function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

