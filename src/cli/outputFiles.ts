/*
 * Writing results: every failure is one line naming the path and the errno, with exit code 4
 * (ExitCode.Output). The output folder is created level by level, not with a recursive mkdir
 * (which spins forever under /proc on Node 20), and proven writable with a probe file before any
 * work starts. Snapshots are written atomically: a temporary file, then a rename over the old one.
 */
import { existsSync, mkdirSync, rmSync, rmdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { getSystemErrorMap } from 'node:util';
import { replaceFile } from '../util/replaceFile.js';
import { CliError, ExitCode } from './ExitCode.js';

/** "ENOSPC (no space left on device)" for a system error, else its message. */
export function describeSystemError(error: unknown): string {
  const e = error as NodeJS.ErrnoException;
  if (typeof e?.code !== 'string') return error instanceof Error ? error.message : String(error);
  const text = typeof e.errno === 'number' ? getSystemErrorMap().get(e.errno)?.[1] : undefined;
  return text === undefined ? e.code : `${e.code} (${text})`;
}

/** Whether `error` is a file system error (it has a syscall), which the CLI reports as an output failure. */
export function isSystemError(error: unknown): error is NodeJS.ErrnoException {
  return error instanceof Error && typeof (error as NodeJS.ErrnoException).syscall === 'string';
}

export function writeOutputFile(prefix: string, path: string, text: string): void {
  try {
    writeFileSync(path, text);
  } catch (error) {
    throw new CliError(`${prefix}cannot write ${path}: ${describeSystemError(error)}`, ExitCode.Output);
  }
}

/** Replace `path` in one step, so a reader (or a kill) never sees half a file. */
export function writeFileAtomic(prefix: string, path: string, text: string): void {
  try {
    replaceFile(path, text);
  } catch (error) {
    throw new CliError(`${prefix}cannot write ${path}: ${describeSystemError(error)}`, ExitCode.Output);
  }
}

/**
 * Create `dir` (and missing parents) and check a file can be written and removed in it. Returns a
 * function that removes the folders this call created, deepest first, while they are still empty:
 * a run that ends with no verdict (QEMU failed) leaves nothing behind.
 */
export function prepareOutputDir(prefix: string, flag: string, dir: string): () => void {
  const missing: string[] = [];
  let at = resolve(dir);
  while (!existsSync(at) && dirname(at) !== at) {
    missing.push(at);
    at = dirname(at);
  }
  if (!statSync(at).isDirectory()) throw new CliError(`${prefix}${flag} ${dir}: ${at} is not a directory`, ExitCode.Usage);
  for (const level of missing.reverse()) {
    try {
      mkdirSync(level);
    } catch (error) {
      throw new CliError(`${prefix}${flag} ${dir}: cannot create ${level}: ${describeSystemError(error)}`, ExitCode.Output);
    }
  }
  const probe = join(dir, `.colosim-probe-${process.pid}`);
  try {
    writeFileSync(probe, 'probe\n');
    rmSync(probe);
  } catch (error) {
    removeQuietly(probe);
    throw new CliError(`${prefix}${flag} ${dir}: cannot write into it: ${describeSystemError(error)}`, ExitCode.Output);
  }
  return () => {
    for (const level of [...missing].reverse()) {
      try {
        rmdirSync(level); // fails, and stops, at the first folder that holds something
      } catch {
        return;
      }
    }
  };
}

function removeQuietly(path: string): void {
  try {
    rmSync(path, { force: true });
  } catch {
    // Nothing was left behind, or nothing can be done about it: the error that matters is thrown next.
  }
}
