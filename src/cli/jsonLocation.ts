/*
 * The line of a value inside a JSON text, by its path (["steps", 3, "steps", 1]), so a CI annotation
 * can point at the step in the scenario file. A single scan over the text that tracks strings,
 * nesting, keys and array indices; no second parser. A path that is not there gives undefined.
 */

export type JsonPath = readonly (string | number)[];

interface Frame {
  readonly array: boolean;
  /** The key or index of the value being read at this level. */
  at: string | number | undefined;
  index: number;
}

export function lineOf(text: string, path: JsonPath): number | undefined {
  const stack: Frame[] = [];
  let line = 1;
  let lastString = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '\n') line++;
    else if (c === '"') {
      const end = stringEnd(text, i);
      lastString = JSON.parse(text.slice(i, end + 1)) as string;
      i = end;
    } else if (c === ':') {
      const top = stack.at(-1);
      if (top !== undefined) top.at = lastString;
    } else if (c === ',') {
      const top = stack.at(-1);
      if (top?.array) top.at = ++top.index;
    } else if (c === '{' || c === '[') {
      stack.push({ array: c === '[', at: c === '[' ? 0 : undefined, index: 0 });
    } else if (c === '}' || c === ']') stack.pop();
    else if (/\s/.test(c)) continue;
    if (matches(stack, path)) {
      const start = valueStart(text, i);
      if (start !== undefined) return line + (text.slice(i, start).match(/\n/g)?.length ?? 0);
    }
  }
  return undefined;
}

/** Whether the frames' current keys are exactly `path`. */
function matches(stack: readonly Frame[], path: JsonPath): boolean {
  return stack.length === path.length && stack.every((f, i) => f.at === path[i]);
}

/** Where the value after the separator at i begins (its first non-blank character), if i is a separator before a value. */
function valueStart(text: string, i: number): number | undefined {
  const c = text[i]!;
  if (c !== ':' && c !== ',' && c !== '[') return undefined;
  const next = /\S/.exec(text.slice(i + 1));
  if (next === null || next[0] === ']' || next[0] === '}') return undefined;
  return i + 1 + next.index;
}

function stringEnd(text: string, start: number): number {
  for (let i = start + 1; i < text.length; i++) {
    if (text[i] === '\\') i++;
    else if (text[i] === '"') return i;
  }
  return text.length - 1;
}
