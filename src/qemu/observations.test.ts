/*
 * Every section and finding of OBSERVATIONS.md names the QEMU versions it was seen on, as a version
 * range (issue 12 §2): a finding without one could silently be applied to a QEMU it was never checked on.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const TEXT = readFileSync(new URL('./OBSERVATIONS.md', import.meta.url), 'utf8');
const VERSION = String.raw`\d+\.\d+(?:\.\d+)?`;
const BOUND = String.raw`(?:>=|>|<=|<)${VERSION}`;
const RANGE = new RegExp(String.raw`^(?:${VERSION}|${BOUND}(?: ${BOUND})?)(?:, (?:${VERSION}|${BOUND}(?: ${BOUND})?))*$`);

/** The headings and bold-led bullets: the entries. */
const entries = TEXT.split('\n').filter((l) => l.startsWith('## ') || l.startsWith('- **'));

function rangeOf(line: string): string | undefined {
  return /\[qemu: ([^\]]+)\]/.exec(line)?.[1];
}

describe('OBSERVATIONS.md: version ranges', () => {
  it('every section and finding carries a well-formed QEMU version range', () => {
    expect(entries.length).toBeGreaterThan(25);
    const missing = entries.filter((l) => rangeOf(l) === undefined || !RANGE.test(rangeOf(l)!));
    expect(missing).toEqual([]);
  });

  it('the ranges it uses', () => {
    expect([...new Set(entries.map(rangeOf))].sort()).toEqual(['7.2.22', '7.2.22, 10.0.2, 10.0.13', '>=8.2 <10.0.13']);
  });

  it('the range grammar rejects what is not a range', () => {
    for (const good of ['7.2.22', '7.2.22, 10.0.2', '>=8.2 <10.0.13', '10.0']) expect(RANGE.test(good), good).toBe(true);
    for (const bad of ['7.2 or later', 'all', '>= 8.2', '']) expect(RANGE.test(bad), bad).toBe(false);
  });
});
