import { describe, expect, it } from 'vitest';
import { lineOf } from './jsonLocation.js';

const FILE = `{
 "colosim": 1,
 "name": "a, b: [c]",
 "steps": [
  {
   "do": "start",
   "side": "both"
  },
  {
   "do": "concurrent",
   "steps": [
    { "do": "status", "side": "primary" },
    {
     "do": "write", "vm": "primary", "offset": 0, "length": 512, "pattern": 1
    }
   ]
  }
 ]
}
`;

describe('lineOf', () => {
  it('finds top-level steps on the line where each begins', () => {
    expect(lineOf(FILE, ['steps', 0])).toBe(5);
    expect(lineOf(FILE, ['steps', 1])).toBe(9);
  });

  it('finds members of a concurrent step, on one line or several', () => {
    expect(lineOf(FILE, ['steps', 1, 'steps', 0])).toBe(12);
    expect(lineOf(FILE, ['steps', 1, 'steps', 1])).toBe(13);
  });

  it('finds a key, ignoring brackets, commas and colons inside strings', () => {
    expect(lineOf(FILE, ['name'])).toBe(3);
    expect(lineOf(FILE, ['steps'])).toBe(4);
  });

  it('gives undefined for a path that is not there', () => {
    expect(lineOf(FILE, ['steps', 2])).toBeUndefined();
    expect(lineOf(FILE, ['disk'])).toBeUndefined();
    expect(lineOf('{"steps": []}', ['steps', 0])).toBeUndefined();
  });

  it('works on one-line files', () => {
    expect(lineOf('{"colosim":1,"name":"x","steps":[{"do":"heal"},{"do":"heal"}]}', ['steps', 1])).toBe(1);
  });
});
