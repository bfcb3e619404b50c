/*
 * Replace a file in one step: write a temporary file beside it, then rename it over the old one,
 * so a reader (or a kill) never sees half a file. On failure the temporary file is removed and the
 * error is the file system's own, naming `path` (not the temporary name) for the message.
 */
import { renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

export function replaceFile(path: string, text: string): void {
  const temporary = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
  try {
    writeFileSync(temporary, text);
    renameSync(temporary, path);
  } catch (error) {
    rmSync(temporary, { force: true });
    const e = error as NodeJS.ErrnoException;
    if (e?.path === temporary) e.path = path;
    throw error;
  }
}
