/*
 * The trace hash must agree across processes and machines: recorded hashes in scenario files and
 * replays compare against it. The pinned hex values below were computed once with this
 * implementation (Node 20); the hash uses only 32-bit integer arithmetic (Math.imul, xor, shifts),
 * so every JavaScript engine gives the same digits, and a change to them is a format change.
 */
import { describe, expect, it } from 'vitest';
import { RunningHash, hash32, hashValue } from './hash.js';

describe('RunningHash', () => {
  it('pins the digest of fixed inputs', () => {
    expect(new RunningHash().hex()).toBe('25c1df661b156293');
    expect(new RunningHash().addString('abc').hex()).toBe('b027e0b6b423bfe1');
    expect(new RunningHash().addNumber(42).addNumber(-1).addNumber(2 ** 40 + 7).hex()).toBe('600dc3d7f4ef5f2e');
    expect(new RunningHash().addBytes(new Uint8Array([1, 2, 3])).hex()).toBe('bcd910cc9d31d883');
  });

  it('gives the same digest for the same input fed twice', () => {
    const feed = (): string => new RunningHash().addString('io').addNumber(4096).addBytes(new Uint8Array([7, 7])).hex();
    expect(feed()).toBe(feed());
  });

  it('distinguishes inputs that differ in value, order, or split', () => {
    const hex = (fn: (h: RunningHash) => void): string => {
      const h = new RunningHash();
      fn(h);
      return h.hex();
    };
    const digests = [
      hex((h) => h.addString('ab')),
      hex((h) => h.addString('ba')),
      hex((h) => h.addString('a').addString('b')),
      hex((h) => h.addNumber(1).addNumber(2)),
      hex((h) => h.addNumber(2).addNumber(1)),
      hex((h) => h.addNumber(0x100000000)),
      hex((h) => h.addNumber(1)),
      hex((h) => h.addNumber(-1)),
      hex((h) => h.addBytes(new Uint8Array([0]))),
      hex((h) => h.addBytes(new Uint8Array([0, 0]))),
    ];
    expect(new Set(digests).size).toBe(digests.length);
  });

  it('hashes integers exactly and other numbers through their decimal text', () => {
    expect(new RunningHash().addNumber(0.5).hex()).toBe(new RunningHash().addString('0.5').hex());
    expect(new RunningHash().addNumber(2 ** 53 - 1).hex()).not.toBe(new RunningHash().addNumber(2 ** 53 - 2).hex());
  });

  it('is always 16 lowercase hex digits', () => {
    expect(new RunningHash().addString('x').hex()).toMatch(/^[0-9a-f]{16}$/);
  });
});

describe('hash32', () => {
  it('pins the value of fixed names', () => {
    expect(hash32('')).toBe(-1508003044);
    expect(hash32('colosim')).toBe(-1817784188);
    expect(hash32('0:schedule')).toBe(-2116923301);
  });
});

describe('hashValue', () => {
  it('ignores key order but not array order', () => {
    expect(hashValue({ b: [1, 'x', true, null], a: 2 })).toBe('ba0506217dfc6619');
    expect(hashValue({ a: 2, b: [1, 'x', true, null] })).toBe('ba0506217dfc6619');
    expect(hashValue({ a: 2, b: ['x', 1, true, null] })).not.toBe('ba0506217dfc6619');
  });

  it('keeps types apart: 1, "1", true and [1] all differ', () => {
    const digests = [hashValue(1), hashValue('1'), hashValue(true), hashValue([1]), hashValue({ 1: 1 }), hashValue(null)];
    expect(new Set(digests).size).toBe(6);
  });
});
