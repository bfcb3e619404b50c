/*
 * Where the campaign's worker threads load their code from: the one place to change when a
 * compiled build (dist/, .js files) should point workers at its own entry instead.
 */

/** The file URL of the case worker's entry module. */
export function caseWorkerFile(): string {
  return new URL('./caseWorkerEntry.js', import.meta.url).href;
}
