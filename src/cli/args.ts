/*
 * Checking option values, shared by the commands; each command words its own error message
 * (prefix, usage line) around these.
 */

/** The value of `text` when it is a whole number in [min, max] written in decimal digits, else undefined. */
export function parseInteger(text: string, min: number, max: number): number | undefined {
  if (!/^\d+$/.test(text)) return undefined;
  const n = Number(text);
  return Number.isSafeInteger(n) && n >= min && n <= max ? n : undefined;
}

/** Whether `text` is one of `allowed`. */
export function isOneOf<T extends string>(text: string, allowed: readonly T[]): text is T {
  return (allowed as readonly string[]).includes(text);
}
