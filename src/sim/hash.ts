/*
 * A small incremental 64-bit hash (two 32-bit multiply-xorshift lanes) for traces and summaries.
 * Not cryptographic: it only has to make two different runs differ with overwhelming likelihood and
 * two identical runs agree, byte for byte, across processes and machines.
 */

export class RunningHash {
  private h1 = 0x9e3779b9 | 0;
  private h2 = 0x85ebca6b | 0;

  addNumber(value: number): this {
    // Integers hash exactly; anything else hashes through its decimal text so it stays stable.
    if (Number.isSafeInteger(value)) {
      const lo = value % 0x100000000 | 0;
      const hi = Math.floor(value / 0x100000000) | 0;
      this.mix(lo);
      this.mix(hi ^ 0x27d4eb2f);
    } else {
      this.addString(String(value));
    }
    return this;
  }

  addString(value: string): this {
    this.mix(value.length ^ 0x165667b1);
    // mix() per character, on locals: a trace hashes every event's kind, field names and strings,
    // and storing both lanes back after each character cost a third of the loop.
    let h1 = this.h1;
    let h2 = this.h2;
    for (let i = 0; i < value.length; i++) {
      const v = value.charCodeAt(i);
      h1 = Math.imul(h1 ^ v, 0x01000193);
      h1 ^= h1 >>> 13;
      h2 = Math.imul(h2 ^ v, 0x5bd1e995);
      h2 ^= h2 >>> 15;
      h2 = (h2 + h1) | 0;
    }
    this.h1 = h1;
    this.h2 = h2;
    return this;
  }

  addBytes(value: Uint8Array): this {
    this.mix(value.length ^ 0x61c88647);
    // As addString: mix() per byte, on locals.
    let h1 = this.h1;
    let h2 = this.h2;
    for (let i = 0; i < value.length; i++) {
      const v = value[i]!;
      h1 = Math.imul(h1 ^ v, 0x01000193);
      h1 ^= h1 >>> 13;
      h2 = Math.imul(h2 ^ v, 0x5bd1e995);
      h2 ^= h2 >>> 15;
      h2 = (h2 + h1) | 0;
    }
    this.h1 = h1;
    this.h2 = h2;
    return this;
  }

  hex(): string {
    let a = this.h1 ^ Math.imul(this.h2 ^ (this.h2 >>> 15), 0x2c1b3c6d);
    let b = this.h2 ^ Math.imul(this.h1 ^ (this.h1 >>> 13), 0x297a2d39);
    a = Math.imul(a ^ (a >>> 16), 0x85ebca6b);
    b = Math.imul(b ^ (b >>> 16), 0xc2b2ae35);
    return (a >>> 0).toString(16).padStart(8, '0') + (b >>> 0).toString(16).padStart(8, '0');
  }

  private mix(v: number): void {
    this.h1 = Math.imul(this.h1 ^ v, 0x01000193);
    this.h1 ^= this.h1 >>> 13;
    this.h2 = Math.imul(this.h2 ^ v, 0x5bd1e995);
    this.h2 ^= this.h2 >>> 15;
    this.h2 = (this.h2 + this.h1) | 0;
  }
}

/** A 32-bit hash of a string, used to derive seeds from names. */
export function hash32(text: string): number {
  let h = 0x811c9dc5 | 0;
  for (let i = 0; i < text.length; i++) {
    h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x7feb352d);
  h ^= h >>> 15;
  return h | 0;
}

/** Hash any JSON-like value in a key-order-independent way (for summaries and replay checks). */
export function hashValue(value: unknown): string {
  const h = new RunningHash();
  feed(h, value);
  return h.hex();
}

function feed(h: RunningHash, value: unknown): void {
  if (value === null || value === undefined) {
    h.addString('null');
  } else if (typeof value === 'number') {
    h.addString('n').addNumber(value);
  } else if (typeof value === 'string') {
    h.addString('s').addString(value);
  } else if (typeof value === 'boolean') {
    h.addString(value ? 'T' : 'F');
  } else if (Array.isArray(value)) {
    h.addString('[').addNumber(value.length);
    for (const item of value) feed(h, item);
  } else if (value instanceof Uint8Array) {
    h.addBytes(value);
  } else if (typeof value === 'object') {
    const keys = Object.keys(value as Record<string, unknown>).sort();
    h.addString('{').addNumber(keys.length);
    for (const key of keys) {
      h.addString(key);
      feed(h, (value as Record<string, unknown>)[key]);
    }
  } else {
    h.addString(String(value));
  }
}
