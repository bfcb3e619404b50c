#!/usr/bin/env -S node --max-semi-space-size=64
// The `colosim` executable. It runs the compiled CLI (dist/, built by `npm run build`, which
// `npm ci` runs as `prepare`) when that build is at least as new as every source file, so start-up
// costs no TypeScript compilation; otherwise (no build yet, or a source edited since) it loads the
// TypeScript sources through tsx, so a stale build never runs in place of the code being edited.
//
// --max-semi-space-size=64: a campaign on the main thread (--workers 1) allocates megabytes of
// short-lived objects per case (trace events, chart events, step results); at V8's default 16 MiB
// semi-space the scavenger took 11-14 % of its CPU. 6000 cases, alternating runs: user CPU 16.0 s
// at the default, 14.4 s at 16, 14.1 s at 32, 11.5 s at 64, 11.7 s at 128 (~100 MiB more resident
// at 64). V8 reads the bound only when the heap is made (v8.setFlagsFromString later leaves new
// space at 2 x 16 MiB), so it goes on the command line here; `node dist/src/cli/main.js` needs it given.
import { COMPILED_CLI, compiledBuildIsFresh } from './compiledBuild.js';

if (compiledBuildIsFresh()) {
  await import(COMPILED_CLI.href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('./main.ts');
}
