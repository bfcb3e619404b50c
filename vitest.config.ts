// Vitest settings for `npm test`. Tests never assert speed (benchmarks do: `npm run bench`), so the
// per-test timeout is only a hang guard, generous enough for a loaded CI machine running QEMU.
// The QEMU adapter has its own timeouts and reports a hung QEMU as QEMU_HUNG before this fires.
// Two projects: colosim's own suites, and examples/ (a user's package) importing the compiled
// package by its name, as `npm install colosim` would give it (built first if stale: globalSetup).
import { fileURLToPath } from 'node:url';
import { configDefaults, defineConfig } from 'vitest/config';

const timeouts = { testTimeout: 120_000, hookTimeout: 120_000 };

export default defineConfig({
  test: {
    projects: [
      { test: { ...timeouts, name: 'colosim', exclude: [...configDefaults.exclude, 'examples/**'] } },
      {
        resolve: { alias: [{ find: /^colosim$/, replacement: fileURLToPath(new URL('./dist/src/index.js', import.meta.url)) }] },
        test: { ...timeouts, name: 'examples', root: fileURLToPath(new URL('./examples/', import.meta.url)), globalSetup: ['./globalSetup.ts'] },
      },
    ],
  },
});
