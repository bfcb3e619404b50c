/*
 * Reads the fields of one JSON object with exact, located messages ("steps[3].offset: must be an
 * integer >= 0, got -1"), and reports fields nobody asked for, so a typo in a scenario or fault
 * plan is an error rather than a silently ignored line.
 */

export type ErrorFactory = (message: string) => Error;

export class FieldReader {
  private readonly used = new Set<string>();

  constructor(
    readonly o: Record<string, unknown>,
    readonly where: string,
    private readonly fail: ErrorFactory,
  ) {}

  /** Check that `raw` is a plain object, then read it. */
  static of(raw: unknown, where: string, fail: ErrorFactory): FieldReader {
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw fail(`${where}: must be an object`);
    return new FieldReader(raw as Record<string, unknown>, where, fail);
  }

  has(key: string): boolean {
    return this.o[key] !== undefined;
  }

  raw(key: string): unknown {
    return this.take(key);
  }

  string(key: string): string {
    const v = this.take(key);
    if (typeof v !== 'string' || v === '') throw this.error(key, 'must be a non-empty string', v);
    return v;
  }

  optString(key: string): string | undefined {
    return this.has(key) ? this.string(key) : (this.take(key), undefined);
  }

  int(key: string, min = 0, max = Number.MAX_SAFE_INTEGER): number {
    const v = this.take(key);
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < min || v > max) {
      const range = max === Number.MAX_SAFE_INTEGER ? `>= ${min}` : `from ${min} to ${max}`;
      throw this.error(key, `must be an integer ${range}`, v);
    }
    return v;
  }

  optInt(key: string, min = 0, max = Number.MAX_SAFE_INTEGER): number | undefined {
    return this.has(key) ? this.int(key, min, max) : (this.take(key), undefined);
  }

  bool(key: string): boolean {
    const v = this.take(key);
    if (typeof v !== 'boolean') throw this.error(key, 'must be true or false', v);
    return v;
  }

  optBool(key: string): boolean | undefined {
    return this.has(key) ? this.bool(key) : (this.take(key), undefined);
  }

  optOneOf<T extends string>(key: string, allowed: readonly T[]): T | undefined {
    return this.has(key) ? this.oneOf(key, allowed) : (this.take(key), undefined);
  }

  oneOf<T extends string>(key: string, allowed: readonly T[], fallback?: T): T {
    const v = this.take(key);
    if (v === undefined && fallback !== undefined) return fallback;
    if (typeof v !== 'string' || !(allowed as readonly string[]).includes(v)) {
      throw this.error(key, `must be one of ${allowed.map((a) => JSON.stringify(a)).join(', ')}`, v);
    }
    return v as T;
  }

  /** Fail on any field that was not read. */
  finish(): void {
    for (const key of Object.keys(this.o)) {
      if (!this.used.has(key)) throw this.fail(`${this.where}.${key}: unknown field`);
    }
  }

  error(key: string, what: string, got: unknown): Error {
    return this.fail(`${this.where}.${key}: ${what}, got ${got === undefined ? 'nothing' : JSON.stringify(got)}`);
  }

  private take(key: string): unknown {
    this.used.add(key);
    return this.o[key];
  }
}

/** Drop undefined fields so a parsed value serialises back to what was written. */
export function compact<T extends object>(value: T): T {
  // A loop over own keys, in their order (what Object.entries gives): the generator compacts every
  // step it draws, and building the entries arrays cost more than drawing the step.
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value)) {
    const v = (value as Record<string, unknown>)[key];
    if (v !== undefined) out[key] = v;
  }
  return out as T;
}
