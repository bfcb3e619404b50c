import { describe, expect, it } from 'vitest';
import { paintFor, paintVerdicts } from './colour.js';

const RED = (s: string) => `\u001b[31m${s}\u001b[39m`;
const GREEN = (s: string) => `\u001b[32m${s}\u001b[39m`;

describe('verdict colour', () => {
  const text = 'cases 3\nVIOLATION cow-isolation at step 2: x\nsummary hash 1';

  it('colours verdict lines on a terminal', () => {
    expect(paintVerdicts(text, paintFor({ isTTY: true }, {}))).toBe(`cases 3\n${RED('VIOLATION cow-isolation at step 2: x')}\nsummary hash 1`);
    expect(paintVerdicts('holds now\n', paintFor({ isTTY: true }, {}))).toBe(`${GREEN('holds now')}\n`);
    expect(paintVerdicts('no violation', paintFor({ isTTY: true }, {}))).toBe(GREEN('no violation'));
  });

  it('leaves text plain when NO_COLOR is set or the stream is no terminal', () => {
    expect(paintVerdicts(text, paintFor({ isTTY: true }, { NO_COLOR: '1' }))).toBe(text);
    expect(paintVerdicts(text, paintFor({ isTTY: false }, {}))).toBe(text);
    expect(paintVerdicts(text, paintFor({}, {}))).toBe(text);
  });

  it('treats an empty NO_COLOR as unset, as no-color.org says', () => {
    expect(paintVerdicts('no violation', paintFor({ isTTY: true }, { NO_COLOR: '' }))).toBe(GREEN('no violation'));
  });
});
