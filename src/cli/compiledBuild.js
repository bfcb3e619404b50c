// Whether the compiled build in dist/ (npm run build) is current: it exists and is at least as new
// as every non-test .ts file under src/ and models/. Plain JavaScript, so the colosim bin can ask
// before anything can load TypeScript; the examples' test setup asks too, and rebuilds if not.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The repository (or installed package) folder, and the compiled CLI's URL in it. */
export const PACKAGE_ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const COMPILED_CLI = new URL('../../dist/src/cli/main.js', import.meta.url);

/** The newest modification time of the non-test .ts files under `dir`, in ms. */
function newestSource(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile() || !entry.name.endsWith('.ts') || entry.name.endsWith('.test.ts')) continue;
    newest = Math.max(newest, statSync(`${entry.parentPath ?? entry.path}/${entry.name}`).mtimeMs);
  }
  return newest;
}

export function compiledBuildIsFresh() {
  const compiled = fileURLToPath(COMPILED_CLI);
  if (!existsSync(compiled)) return false;
  const built = statSync(compiled).mtimeMs;
  return ['src', 'models'].every((dir) => !existsSync(`${PACKAGE_ROOT}${dir}`) || newestSource(`${PACKAGE_ROOT}${dir}`) <= built);
}
