/*
 * Which colosim wrote a report: the package version and the git commit of the checkout, read when
 * the report is written (the commit is "unknown" outside a git checkout or without git). A
 * version recorded in run.json wins over the one installed now.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The package root: the nearest folder above this file with a package.json (src/ or a compiled copy). */
const ROOT = (() => {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6 && !existsSync(join(dir, 'package.json')); i++) dir = dirname(dir);
  return dir;
})();

export interface BuildInfo {
  readonly version: string;
  readonly commit: string;
}

let cached: BuildInfo | undefined;

export function buildInfo(): BuildInfo {
  cached ??= { version: packageVersion(), commit: gitCommit() };
  return cached;
}

function packageVersion(): string {
  try {
    const version = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version?: unknown }).version;
    return typeof version === 'string' ? version : 'unknown';
  } catch {
    return 'unknown';
  }
}

function gitCommit(): string {
  try {
    const out = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 5000 }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 5000 }).trim();
    return /^[0-9a-f]{40}$/.test(out) ? `${out}${dirty ? ' (modified)' : ''}` : 'unknown';
  } catch {
    return 'unknown';
  }
}
