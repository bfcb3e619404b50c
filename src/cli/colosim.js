#!/usr/bin/env node
// The `colosim` executable. It runs the compiled CLI (dist/, built by `npm run build`, which
// `npm ci` runs as `prepare`) when that build is at least as new as every source file, so start-up
// costs no TypeScript compilation; otherwise (no build yet, or a source edited since) it loads the
// TypeScript sources through tsx, so a stale build never runs in place of the code being edited.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));
const compiledUrl = new URL('../../dist/src/cli/main.js', import.meta.url);
const compiled = fileURLToPath(compiledUrl);

/** The newest modification time of the non-test .ts files under `dir`, in ms. */
function newestSource(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile() || !entry.name.endsWith('.ts') || entry.name.endsWith('.test.ts')) continue;
    newest = Math.max(newest, statSync(`${entry.parentPath ?? entry.path}/${entry.name}`).mtimeMs);
  }
  return newest;
}

function buildIsFresh() {
  if (!existsSync(compiled)) return false;
  const built = statSync(compiled).mtimeMs;
  return ['src', 'models'].every((dir) => !existsSync(`${root}${dir}`) || newestSource(`${root}${dir}`) <= built);
}

if (buildIsFresh()) {
  await import(compiledUrl.href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('./main.ts');
}
