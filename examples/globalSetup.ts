/*
 * The examples import the compiled package (dist/), as a user's project would: build it first when
 * it is missing or older than a source, so the examples never test stale code.
 */
import { spawnSync } from 'node:child_process';
import { COMPILED_CLI, PACKAGE_ROOT, compiledBuildIsFresh } from '../src/cli/compiledBuild.js';

export default function setup(): void {
  if (compiledBuildIsFresh()) return;
  const build = spawnSync('npm', ['run', 'build'], { cwd: PACKAGE_ROOT, encoding: 'utf8' });
  if (build.status !== 0 || !compiledBuildIsFresh()) throw new Error(`npm run build failed (needed for ${COMPILED_CLI.pathname}):\n${build.stdout}${build.stderr}`);
}
