/*
 * colosim's own package.json (name and version), found by walking up from this module: from
 * src/util/ (tsx, vitest) and from dist/src/util/ (the compiled build) alike, so no path that
 * holds in only one of the two layouts is written down. Read once, on first use.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface PackageInfo {
  readonly name: string;
  readonly version: string;
  /** The folder holding package.json: the repository, or the installed package. */
  readonly root: string;
}

let cached: PackageInfo | undefined;

export function packageInfo(): PackageInfo {
  cached ??= findPackage(dirname(fileURLToPath(import.meta.url)));
  return cached;
}

function findPackage(from: string): PackageInfo {
  for (let dir = from; ; dir = dirname(dir)) {
    const file = join(dir, 'package.json');
    if (existsSync(file)) {
      const json = JSON.parse(readFileSync(file, 'utf8')) as { name?: unknown; version?: unknown };
      if (json.name === 'colosim' && typeof json.version === 'string') return { name: json.name, version: json.version, root: dir };
    }
    if (dirname(dir) === dir) throw new Error(`colosim's package.json not found above ${from}`);
  }
}
