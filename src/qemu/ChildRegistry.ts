/*
 * Every QEMU child process and temp directory the adapter creates is registered here until it is
 * cleaned up, so that nothing outlives the Node process: on SIGINT/SIGTERM (and at exit) the
 * registry kills the children with SIGKILL and removes the directories synchronously, then lets the
 * signal take its default course. Normal runs clean up themselves and unregister. SIGKILL, which no
 * handler sees, is left to the parent-death signal and the watchdog (spawnBound.ts, Watchdog.ts).
 */
import type { ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';

const children = new Set<ChildProcess>();
const directories = new Set<string>();
let installed = false;

export function trackChild(child: ChildProcess): void {
  install();
  children.add(child);
  child.once('exit', () => children.delete(child));
}

export function untrackChild(child: ChildProcess): void {
  children.delete(child);
}

export function trackDirectory(path: string): void {
  install();
  directories.add(path);
}

/** Remove a tracked directory now (recursively) and forget it. */
export function removeDirectory(path: string): void {
  rmSync(path, { recursive: true, force: true });
  directories.delete(path);
}

/** How many children and directories are still registered (tests check that runs leave none). */
export function liveResources(): { readonly children: number; readonly directories: number } {
  return { children: children.size, directories: directories.size };
}

/** Kill every child and remove every directory, synchronously. */
export function cleanupAllNow(): void {
  for (const child of children) {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
  children.clear();
  for (const dir of directories) rmSync(dir, { recursive: true, force: true });
  directories.clear();
}

function install(): void {
  if (installed) return;
  installed = true;
  process.on('exit', cleanupAllNow);
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    const handler = (): void => {
      cleanupAllNow();
      process.removeListener(signal, handler);
      // With our handler gone, re-raising gives the default behaviour (or other listeners') back.
      if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
    };
    process.on(signal, handler);
  }
}
