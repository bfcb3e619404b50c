import { describe, expect, it } from 'vitest';
import type { Clock } from './Clock.js';
import { Trace, type TraceFields, type TraceLevel, serializeEvent } from './Trace.js';
import type { TraceKind, TypedTraceEvent } from './TraceEvents.js';

class ManualClock implements Clock {
  tick = 0;
  now(): number {
    return this.tick;
  }
}

const EMPTY_HASH = '25c1df661b156293';

/**
 * Emit past the contract: these tests pin the hashing and serialising of every value type (null,
 * booleans, strings that look like them), which the contract's events need not all use.
 */
function emitUntyped(trace: Trace, kind: string, fields: TraceFields): void {
  trace.emit(kind as TraceKind, fields as never);
}

/** An event past the contract, as serializeEvent may still meet one emitted that way. */
function untypedEvent(seq: number, tick: number, kind: string, fields: TraceFields): TypedTraceEvent {
  return { seq, tick, kind, fields } as unknown as TypedTraceEvent;
}

/** A fixed little run: two I/Os at tick 0 and a fault at tick 1500. */
function record(level: TraceLevel, tweak?: (at: number, fields: TraceFields) => TraceFields): Trace {
  const clock = new ManualClock();
  const trace = new Trace(level, clock);
  const events: [number, string, TraceFields][] = [
    [0, 'io', { node: 'raw', op: 'write', offset: 0, bytes: 512 }],
    [0, 'io', { node: 'raw', op: 'read', offset: 512, bytes: 4096 }],
    [1500, 'fault', { fault: 0, kind: 'io-error', errno: 'EIO', fatal: true, note: null }],
  ];
  events.forEach(([tick, kind, fields], i) => {
    clock.tick = tick;
    emitUntyped(trace, kind, tweak ? tweak(i, fields) : fields);
  });
  return trace;
}

describe('Trace', () => {
  it('hashes the same events to the same pinned value, at levels hash and full alike', () => {
    expect(record('hash').hash()).toBe('c3a26fa3687bb497');
    expect(record('full').hash()).toBe('c3a26fa3687bb497');
    expect(record('hash').length).toBe(3);
  });

  it('hashes a run that differs in one value, one tick or one type to another value', () => {
    const base = record('hash').hash();
    const variants = [
      record('hash', (i, f) => (i === 1 ? { ...f, bytes: 4097 } : f)).hash(),
      record('hash', (i, f) => (i === 2 ? { ...f, fatal: false } : f)).hash(),
      record('hash', (i, f) => (i === 2 ? { ...f, fatal: 'true' } : f)).hash(),
      record('hash', (i, f) => (i === 2 ? { ...f, note: 'null' } : f)).hash(),
      record('hash', (i, f) => (i === 0 ? { op: 'write', node: 'raw', offset: 0, bytes: 512 } : f)).hash(),
    ];
    expect(new Set([base, ...variants]).size).toBe(6);
  });

  it('ignores undefined fields, in the hash and in the JSON line', () => {
    const withUndefined = record('full', (i, f) => (i === 0 ? { ...f, extra: undefined } : f));
    expect(withUndefined.hash()).toBe('c3a26fa3687bb497');
    expect(withUndefined.toJsonl()).toBe(record('full').toJsonl());
  });

  it('keeps every event at level full, stamped with sequence number and tick', () => {
    const events: readonly TypedTraceEvent[] = record('full').events();
    expect(events.map((e) => [e.seq, e.tick, e.kind])).toEqual([
      [0, 0, 'io'],
      [1, 0, 'io'],
      [2, 1500, 'fault'],
    ]);
    expect(events[1]!.fields).toEqual({ node: 'raw', op: 'read', offset: 512, bytes: 4096 });
  });

  it('writes stable JSON lines in the emitter key order', () => {
    expect(record('full').toJsonl()).toBe(
      [
        '{"seq":0,"t":0,"k":"io","node":"raw","op":"write","offset":0,"bytes":512}',
        '{"seq":1,"t":0,"k":"io","node":"raw","op":"read","offset":512,"bytes":4096}',
        '{"seq":2,"t":1500,"k":"fault","fault":0,"kind":"io-error","errno":"EIO","fatal":true,"note":null}',
      ].join('\n'),
    );
    expect(serializeEvent(untypedEvent(9, 3, 'x', {}))).toBe('{"seq":9,"t":3,"k":"x"}');
  });

  it('refuses a field named like an envelope key instead of letting it overwrite the envelope', () => {
    expect(() => serializeEvent(untypedEvent(4, 2, 'io', { node: 'raw', t: 99 }))).toThrow('trace event io: field "t" collides with the envelope key of its JSON line');
    expect(() => serializeEvent(untypedEvent(4, 2, 'io', { seq: 1 }))).toThrow('field "seq" collides');
    expect(() => serializeEvent(untypedEvent(4, 2, 'io', { k: 'x' }))).toThrow('field "k" collides');
  });

  it('accepts only the contract: a misspelled kind or a renamed field does not compile', () => {
    const trace = new Trace('full', new ManualClock());
    // @ts-expect-error a kind the contract does not name
    trace.emit('coww', { job: 'backup', cluster: 0, offset: 0, bytes: 65536, epoch: 0 });
    // @ts-expect-error a field the contract names otherwise (cluster)
    trace.emit('cow', { job: 'backup', clusterIndex: 0, offset: 0, bytes: 65536, epoch: 0 });
    // @ts-expect-error a field missing
    trace.emit('cow', { job: 'backup', offset: 0, bytes: 65536, epoch: 0 });
    trace.emit('cow', { job: 'backup', cluster: 1, offset: 65536, bytes: 65536, epoch: 0, req: 7 });
    const cows = trace.eventsOf('cow');
    expect(cows.map((e) => [e.seq, e.fields.cluster, e.fields.req])).toEqual([[1, undefined, undefined], [2, undefined, undefined], [3, 1, 7]]);
    const kinds: TypedTraceEvent['kind'][] = trace.events().map((e) => e.kind);
    expect(kinds).toEqual(['coww', 'cow', 'cow', 'cow']);
  });

  it('keeps no events below level full', () => {
    expect(() => record('hash').events()).toThrow('trace level "hash" keeps no events; use "full"');
    expect(() => record('off').toJsonl()).toThrow('trace level "off" keeps no events; use "full"');
  });

  it('records nothing at level off', () => {
    const trace = record('off');
    expect(trace.enabled).toBe(false);
    expect(trace.length).toBe(0);
    expect(trace.hash()).toBe(EMPTY_HASH);
  });

  it('feeds subscribers even at level off, without hashing, until they unsubscribe', () => {
    const clock = new ManualClock();
    const trace = new Trace('off', clock);
    const seen: string[] = [];
    const unsubscribe = trace.subscribe((e) => seen.push(`${e.seq}:${e.kind}`));
    expect(trace.enabled).toBe(true);
    trace.emit('eject', { node: 'a' });
    trace.emit('eject', { node: 'b' });
    unsubscribe();
    expect(trace.enabled).toBe(false);
    trace.emit('eject', { node: 'c' });
    expect(seen).toEqual(['0:eject', '1:eject']);
    expect(trace.hash()).toBe(EMPTY_HASH);
  });

  it('leaves a hashing trace enabled when its last subscriber leaves', () => {
    const trace = new Trace('hash', new ManualClock());
    trace.subscribe(() => {})();
    expect(trace.enabled).toBe(true);
  });
});
