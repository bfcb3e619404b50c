/*
 * QEMU's messages name image files by their full path, and nodes with extra options by a
 * "json:{...}" pseudo-filename; both contain the run's temp directory, which differs every run.
 * The adapter rewrites them to the image's basename ("Failed to empty /tmp/colosim-x/active0.qcow2:
 * ..." → "Failed to empty active0.qcow2: ..."), so results compare across runs and backends.
 * Nothing else in a message is changed.
 */
import { basename } from 'node:path';

/** Rewrite json:{...} filenames and paths under `dirs` to basenames. */
export function normaliseMessage(message: string, dirs: readonly string[]): string {
  let out = replaceJsonFilenames(message);
  for (const dir of dirs) {
    const prefix = dir.endsWith('/') ? dir : `${dir}/`;
    out = out.split(prefix).join('');
  }
  return out;
}

function replaceJsonFilenames(message: string): string {
  let out = '';
  let at = 0;
  for (;;) {
    const start = message.indexOf('json:{', at);
    if (start < 0) return out + message.slice(at);
    const end = matchingBrace(message, start + 5);
    if (end < 0) return out + message.slice(at);
    const image = ownImageFilename(message.slice(start + 5, end + 1));
    out += message.slice(at, start) + (image === undefined ? message.slice(start, end + 1) : basename(image));
    at = end + 1;
  }
}

/** Index of the brace closing the one at `open`, skipping braces inside JSON strings; -1 if none. */
function matchingBrace(text: string, open: number): number {
  let depth = 0;
  let inString = false;
  for (let i = open; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === '{') depth++;
    else if (c === '}' && --depth === 0) return i;
  }
  return -1;
}

/** The node's own image: follow file/image children (never backing) down to a filename. */
function ownImageFilename(json: string): string | undefined {
  let node: unknown;
  try {
    node = JSON.parse(json);
  } catch {
    return undefined;
  }
  for (let depth = 0; depth < 8 && typeof node === 'object' && node !== null; depth++) {
    const o = node as Record<string, unknown>;
    if (typeof o.filename === 'string') return o.filename;
    if (typeof o['file.filename'] === 'string') return o['file.filename'];
    if (typeof o['image.filename'] === 'string') return o['image.filename'];
    node = o.file ?? o.image;
  }
  return undefined;
}
