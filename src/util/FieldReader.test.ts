import { describe, expect, it } from 'vitest';
import { FieldReader, compact } from './FieldReader.js';

class TestError extends Error {}
const fail = (message: string): Error => new TestError(message);
const reader = (o: Record<string, unknown>): FieldReader => FieldReader.of(o, 'x', fail);

describe('FieldReader', () => {
  it('reads typed fields and defaults', () => {
    const f = reader({ s: 'a', n: 3, b: false, e: 'two' });
    expect(f.string('s')).toBe('a');
    expect(f.int('n', 1, 3)).toBe(3);
    expect(f.bool('b')).toBe(false);
    expect(f.oneOf('e', ['one', 'two'] as const)).toBe('two');
    expect(f.optString('missing')).toBeUndefined();
    expect(f.optInt('missing2')).toBeUndefined();
    expect(f.optBool('missing3')).toBeUndefined();
    expect(f.oneOf('missing4', ['a', 'b'] as const, 'b')).toBe('b');
    expect(() => f.finish()).not.toThrow();
  });

  it('builds located messages with the offending value', () => {
    expect(() => reader({ n: 4 }).int('n', 1, 3)).toThrow(new TestError('x.n: must be an integer from 1 to 3, got 4'));
    expect(() => reader({ n: 2 ** 53 }).int('n')).toThrow('x.n: must be an integer >= 0, got 9007199254740992');
    expect(() => reader({}).string('s')).toThrow('x.s: must be a non-empty string, got nothing');
    expect(() => reader({ b: 0 }).bool('b')).toThrow('x.b: must be true or false, got 0');
    expect(() => reader({ e: 'three' }).oneOf('e', ['one', 'two'])).toThrow('x.e: must be one of "one", "two", got "three"');
    expect(() => reader({ e: null }).oneOf('e', ['one'], 'one')).toThrow('x.e: must be one of "one", got null');
    expect(() => FieldReader.of(null, 'y', fail)).toThrow('y: must be an object');
    expect(() => FieldReader.of([1], 'y', fail)).toThrow('y: must be an object');
  });

  it('reports the first field nobody read, including ones only looked at with has()', () => {
    const f = reader({ a: 1, b: 2, c: 3 });
    f.int('a');
    expect(f.has('b')).toBe(true);
    expect(() => f.finish()).toThrow(new TestError('x.b: unknown field'));
    f.raw('b');
    expect(() => f.finish()).toThrow('x.c: unknown field');
  });

  it('compact drops undefined fields only', () => {
    const out = compact({ a: 1, b: undefined, c: null, d: 0 });
    expect(out).toEqual({ a: 1, c: null, d: 0 });
    expect(Object.keys(out)).toEqual(['a', 'c', 'd']);
  });
});
