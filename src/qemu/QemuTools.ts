/*
 * Where QEMU's binaries are and how to run its offline tools. The adapter needs qemu-system-x86_64
 * (the two sides), qemu-img (images) and qemu-io (pre-filling them); when one is missing it fails
 * with QEMU_MISSING and names the Debian packages that provide them.
 */
import { execFile } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { QemuAdapterError } from './QemuAdapterError.js';

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
    system: which(TOOL_NAMES.system, pathEnv),
    img: which(TOOL_NAMES.img, pathEnv),
    io: which(TOOL_NAMES.io, pathEnv),
  };
  const missing = (Object.keys(found) as (keyof QemuTools)[]).filter((k) => found[k] === undefined).map((k) => TOOL_NAMES[k]);
  if (missing.length > 0) {
    throw new QemuAdapterError('QEMU_MISSING', `QEMU is not installed: ${missing.join(', ')} not found on PATH; ${QEMU_INSTALL_HINT}`);
  }
  return found as QemuTools;
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

function which(name: string, pathEnv: string): string | undefined {
  for (const dir of pathEnv.split(delimiter)) {
    if (dir === '') continue;
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not in this directory
    }
  }
  return undefined;
}

/** Run a QEMU tool to completion; a non-zero exit becomes QEMU_START_FAILED with its stderr. */
export function runTool(binary: string, args: readonly string[]): Promise<string> {
  return new Promise<string>((resolve, reject) => {
    execFile(binary, args, { timeout: TOOL_TIMEOUT_MS, encoding: 'utf8' }, (error, stdout, stderr) => {
      if (error === null) return resolve(stdout);
      const code = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'QEMU_MISSING' : 'QEMU_START_FAILED';
      const hint = code === 'QEMU_MISSING' ? `; ${QEMU_INSTALL_HINT}` : '';
      reject(new QemuAdapterError(code, `${binary} ${args.join(' ')} failed: ${(stderr || error.message).trim()}${hint}`, { cause: error }));
    });
  });
}
