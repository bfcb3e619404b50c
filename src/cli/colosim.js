#!/usr/bin/env -S node --max-semi-space-size=64 --max-inlined-bytecode-size-cumulative=300
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
//
// --max-inlined-bytecode-size-cumulative=300 (V8's default 920): TurboFan inlines less into each
// optimised function, so V8's background threads compile less (a campaign recompiles about 980
// functions, and every worker compiles its own). On this 2-core machine, 6,000 cases, 4 alternating
// rounds: two workers 7.4-8.4 s wall against 8.9-9.3 s at the default (all threads' CPU 12.4-14.2 s
// against 15.0-15.9 s), one worker 7.9-9.4 s against 8.3-9.5 s with the main thread's CPU unchanged.
// V8 flags apply to the whole process, worker threads included. bin.test.ts checks that this Node accepts them.
import { COMPILED_CLI, compiledBuildIsFresh } from './compiledBuild.js';

if (compiledBuildIsFresh()) {
  await import(COMPILED_CLI.href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('./main.ts');
}
