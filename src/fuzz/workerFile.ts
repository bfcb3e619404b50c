/*
 * Where the campaign's worker threads load their code from. Beside compiled code (dist/, .js) the
 * worker is the compiled caseWorker.js itself; beside the TypeScript sources (the CLI under tsx,
 * vitest) it is caseWorkerEntry.js, plain JavaScript that registers tsx in the worker thread first.
 */
import { siblingModule } from '../util/moduleFile.js';

/** The file URL of the case worker's entry module. */
export function caseWorkerFile(): string {
  const compiled = siblingModule(import.meta.url, 'caseWorker');
  return compiled.pathname.endsWith('.js') ? compiled.href : new URL('./caseWorkerEntry.js', import.meta.url).href;
}
