// `npm run build` (and `prepare`): compile src/ and models/ into dist/ with tsc. The build goes to
// dist.new/ first and replaces dist/ by a rename, so a colosim started meanwhile sees the old
// build or the new one, never half of one. Exits with tsc's status.
import { spawnSync } from 'node:child_process';
import { renameSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const tsc = join(dirname(createRequire(import.meta.url).resolve('typescript/package.json')), 'bin', 'tsc');
rmSync('dist.new', { recursive: true, force: true });
const build = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.build.json', '--outDir', 'dist.new'], { stdio: 'inherit' });
if (build.status !== 0) {
  rmSync('dist.new', { recursive: true, force: true });
  process.exit(build.status ?? 1);
}
rmSync('dist', { recursive: true, force: true });
renameSync('dist.new', 'dist');
