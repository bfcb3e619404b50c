// Vitest settings for `npm test`. Tests never assert speed (benchmarks do: `npm run bench`), so the
// per-test timeout is only a hang guard, generous enough for a loaded CI machine running QEMU.
// The QEMU adapter has its own timeouts and reports a hung QEMU as QEMU_HUNG before this fires.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
