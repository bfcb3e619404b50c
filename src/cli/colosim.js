#!/usr/bin/env node
// The `colosim` executable. It runs the compiled CLI (dist/, built by `npm run build`, which
// `npm ci` runs as `prepare`) when that build is at least as new as every source file, so start-up
// costs no TypeScript compilation; otherwise (no build yet, or a source edited since) it loads the
// TypeScript sources through tsx, so a stale build never runs in place of the code being edited.
import { COMPILED_CLI, compiledBuildIsFresh } from './compiledBuild.js';

if (compiledBuildIsFresh()) {
  await import(COMPILED_CLI.href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('./main.ts');
}
