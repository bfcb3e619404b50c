/*
 * Where QEMU's binaries are and how to run its offline tools. The adapter needs qemu-system-x86_64
 * (the two sides), qemu-img (images) and qemu-io (pre-filling them); when one is missing it fails
 * with QEMU_MISSING and names the Debian packages that provide them.
 */
import { join } from 'node:path';
import { findOnPath } from './findOnPath.js';
import { QemuAdapterError } from './QemuAdapterError.js';
import { spawnBound } from './spawnBound.js';

export interface QemuTools {
  readonly system: string;
  readonly img: string;
  readonly io: string;
}

const TOOL_NAMES = { system: 'qemu-system-x86_64', img: 'qemu-img', io: 'qemu-io' } as const;
export const QEMU_INSTALL_HINT = 'install the Debian packages qemu-system-x86 and qemu-utils (apt-get install qemu-system-x86 qemu-utils)';
const TOOL_TIMEOUT_MS = 30_000;

/** Find the binaries on PATH (or `pathEnv`); throws QEMU_MISSING naming every missing one. */
export function findQemuTools(pathEnv = process.env.PATH ?? ''): QemuTools {
  const found = {
    system: findOnPath(TOOL_NAMES.system, pathEnv),
    img: findOnPath(TOOL_NAMES.img, pathEnv),
    io: findOnPath(TOOL_NAMES.io, pathEnv),
  };
  const missing = (Object.keys(found) as (keyof QemuTools)[]).filter((k) => found[k] === undefined).map((k) => TOOL_NAMES[k]);
  if (missing.length > 0) {
    throw new QemuAdapterError('QEMU_MISSING', `QEMU is not installed: ${missing.join(', ')} not found on PATH; ${QEMU_INSTALL_HINT}`);
  }
  return found as QemuTools;
}

/** The environment variable that chooses the QEMU directory when no --qemu is given. */
export const QEMU_DIR_ENV = 'COLOSIM_QEMU_DIR';

/**
 * The binaries in `dir`: a bin directory holding them, or a prefix whose bin/ (or usr/bin/) does
 * (scripts/install-qemu.sh's prefixes have wrappers in bin/). Throws QEMU_MISSING naming the first
 * path that is not there.
 */
export function findQemuToolsIn(dir: string): QemuTools {
  const bin = [dir, join(dir, 'bin'), join(dir, 'usr', 'bin')].find((d) => findOnPath(join(d, TOOL_NAMES.system)) !== undefined) ?? dir;
  const tools = { system: join(bin, TOOL_NAMES.system), img: join(bin, TOOL_NAMES.img), io: join(bin, TOOL_NAMES.io) };
  for (const path of Object.values(tools)) {
    if (findOnPath(path) === undefined) throw new QemuAdapterError('QEMU_MISSING', `QEMU not found: ${path} is missing or not executable`);
  }
  return tools;
}

/** The tools of `dir` when given, else of $COLOSIM_QEMU_DIR when set, else from PATH. */
export function resolveQemuTools(dir: string | undefined, env: NodeJS.ProcessEnv = process.env): QemuTools {
  const chosen = dir ?? (env[QEMU_DIR_ENV] === undefined || env[QEMU_DIR_ENV] === '' ? undefined : env[QEMU_DIR_ENV]);
  return chosen === undefined ? findQemuTools(env.PATH ?? '') : findQemuToolsIn(chosen);
}

/** True when every binary is there (tests use it to decide whether to skip). */
export function qemuAvailable(): boolean {
  try {
    findQemuTools();
    return true;
  } catch {
    return false;
  }
}

/**
 * Run a QEMU tool to completion (it dies with colosim: spawnBound); a non-zero exit becomes
 * QEMU_START_FAILED with its stderr, a run past TOOL_TIMEOUT_MS (+ extraTimeoutMs) is killed and fails the same way.
 */
export function runTool(binary: string, args: readonly string[], extraTimeoutMs = 0): Promise<string> {
  const timeoutMs = TOOL_TIMEOUT_MS + extraTimeoutMs;
  return new Promise<string>((resolve, reject) => {
    const child = spawnBound(binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const out = { stdout: '', stderr: '' };
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (out.stdout += chunk));
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (out.stderr += chunk));
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    const fail = (code: 'QEMU_MISSING' | 'QEMU_START_FAILED', reason: string, cause?: unknown): void => {
      const hint = code === 'QEMU_MISSING' ? `; ${QEMU_INSTALL_HINT}` : '';
      const shown = args.length <= 8 ? args.join(' ') : `${args.slice(0, 6).join(' ')} ... ${args.at(-1)}`;
      reject(new QemuAdapterError(code, `${binary} ${shown} failed: ${reason}${hint}`, { cause }));
    };
    child.once('error', (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      fail(error.code === 'ENOENT' ? 'QEMU_MISSING' : 'QEMU_START_FAILED', error.message, error);
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) return resolve(out.stdout);
      const how = timedOut ? `killed after ${timeoutMs} ms` : signal !== null ? `killed by ${signal}` : `exit code ${code}`;
      fail('QEMU_START_FAILED', (out.stderr.trim() || how).replace(/\s*\n\s*/g, ' '));
    });
  });
}
