/*
 * Cases on the main thread, one at a time: `--workers 1`, the library default, and the only runner
 * that sees an engine patched in this process (the mutation tests rely on that).
 */
import type { CaseRunner } from './CaseRunner.js';
import { evaluateCase } from './evaluateCase.js';

export function inProcessRunner(): CaseRunner {
  return { slots: 1, run: (task) => evaluateCase(task), close: async () => undefined };
}
