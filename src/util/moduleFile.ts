/*
 * Where a sibling module lives, for code that hands a module path to something that loads it on
 * its own (a worker thread, a child process): beside a compiled module (dist/, .js) it is the
 * sibling .js file, beside a TypeScript source run through tsx or vitest it is the sibling .ts file.
 * It only names the file; whether that file exists is the loader's business.
 */

/** The file URL of module `name` (no extension) in the folder of the module at `importMetaUrl`. */
export function siblingModule(importMetaUrl: string, name: string): URL {
  const here = new URL(importMetaUrl);
  const extension = /\.[cm]?ts$/.test(here.pathname) ? '.ts' : '.js';
  return new URL(`./${name}${extension}`, here);
}
