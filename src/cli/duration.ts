/*
 * A time budget as a user writes it: a whole number and one unit, s, m or h ("90s", "10m", "2h").
 */

const UNIT_MS = { s: 1000, m: 60_000, h: 3_600_000 } as const;

/** The budget in milliseconds, or undefined unless `text` is 1 to 1,000,000 of one unit. */
export function parseDuration(text: string): number | undefined {
  const m = /^(\d{1,7})([smh])$/.exec(text);
  if (!m) return undefined;
  const n = Number(m[1]);
  return n >= 1 && n <= 1_000_000 ? n * UNIT_MS[m[2] as keyof typeof UNIT_MS] : undefined;
}
