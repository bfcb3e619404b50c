/*
 * Cases on the main thread, one at a time: `--workers 1`, the library default, and the only runner
 * that sees an engine patched in this process (the mutation tests rely on that). Batches of one
 * case: nothing is sent anywhere, and the campaign checks its time budget before every case.
 */
import type { CaseRunner } from './CaseRunner.js';
import { evaluateBatch } from './evaluateCase.js';

export function inProcessRunner(): CaseRunner {
  return { slots: 1, batchSize: 1, run: (batch) => evaluateBatch(batch), close: async () => undefined };
}
