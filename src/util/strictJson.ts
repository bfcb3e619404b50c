/*
 * JSON as colosim's input files need it: a leading UTF-8 byte-order mark is skipped, syntax errors
 * keep V8's message, and two things JSON.parse lets through are errors: a key given twice in one
 * object (JSON.parse keeps the last, so a typo'd copy silently wins) and nesting deeper than
 * `maxDepth`. Both are found by one pass over the (already valid) text, with no recursion.
 */

export class JsonInputError extends Error {
  readonly code = 'BAD_JSON';
}

export const MAX_JSON_DEPTH = 64;

export function parseStrictJson(text: string, maxDepth = MAX_JSON_DEPTH): unknown {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch (error) {
    throw new JsonInputError(`not valid JSON: ${(error as Error).message}`);
  }
  scanKeys(body, maxDepth);
  return value;
}

/** An open object or array during the scan: where it is, and what it has seen so far. */
interface Container {
  readonly path: string;
  /** Keys seen (objects only). */
  readonly keys: Set<string> | null;
  index: number;
  expectKey: boolean;
  key: string;
}

function scanKeys(text: string, maxDepth: number): void {
  const stack: Container[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    const top = stack[stack.length - 1];
    if (c === '"') {
      const end = stringEnd(text, i);
      if (top?.keys && top.expectKey) {
        const key = JSON.parse(text.slice(i, end + 1)) as string;
        if (top.keys.has(key)) throw new JsonInputError(`${childPath(top.path, key)}: duplicate key (JSON would keep only the last)`);
        top.keys.add(key);
        top.key = key;
        top.expectKey = false;
      }
      i = end;
    } else if (c === '{' || c === '[') {
      const path = top === undefined ? '' : top.keys ? childPath(top.path, top.key) : `${top.path}[${top.index}]`;
      if (stack.length >= maxDepth) throw new JsonInputError(`${path || 'the top level'}: nested deeper than ${maxDepth} levels`);
      stack.push({ path, keys: c === '{' ? new Set() : null, index: 0, expectKey: true, key: '' });
    } else if (c === '}' || c === ']') stack.pop();
    else if (c === ',' && top !== undefined) {
      top.index++;
      top.expectKey = true;
    }
  }
}

function childPath(parent: string, key: string): string {
  if (!/^[A-Za-z_$][\w$]*$/.test(key)) return `${parent}[${JSON.stringify(key)}]`;
  return parent === '' ? key : `${parent}.${key}`;
}

/** The index of the quote that closes the string opening at `start`. */
function stringEnd(text: string, start: number): number {
  for (let i = start + 1; ; i++) {
    if (text[i] === '\\') i++;
    else if (text[i] === '"') return i;
  }
}
