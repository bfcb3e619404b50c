/*
 * The run's structured event log: requests, completions, stage changes, operation outcomes and
 * faults, each stamped with a sequence number and the simulated tick. Every event feeds a running
 * hash, so two runs compare by one value; at level "full" the events are also kept (and can be
 * written as JSON lines) for checkers, reports and replays. What each kind of event carries is the
 * typed contract of TraceEvents.ts; emit accepts nothing else.
 */
import type { Clock } from './Clock.js';
import { RunningHash } from './hash.js';
import type { EnvelopeKey, TraceEventFields, TraceEventOf, TraceKind, TypedTraceEvent } from './TraceEvents.js';

export type TraceValue = string | number | boolean | null | undefined;
/**
 * Fields as the hash and the JSON line see them: values only, no names. Readers never take events
 * this way (they switch on TypedTraceEvent, where a renamed field fails to compile); tests use it to
 * emit past the contract.
 */
export type TraceFields = Readonly<Record<string, TraceValue>>;

/** off: nothing recorded; hash: only the running hash; full: hash plus every event kept. */
export type TraceLevel = 'off' | 'hash' | 'full';

export type TraceListener = (event: TypedTraceEvent) => void;

export class Trace {
  private readonly hasher = new RunningHash();
  private readonly kept: TypedTraceEvent[] = [];
  private readonly listeners: TraceListener[] = [];
  private count = 0;
  /** True when emitting does anything; callers test it before building costly fields. */
  enabled: boolean;

  constructor(
    readonly level: TraceLevel,
    private readonly clock: Clock,
  ) {
    this.enabled = level !== 'off';
  }

  /** Observe every event as it is emitted (checkers attach here, apart from the engine). */
  subscribe(listener: TraceListener): () => void {
    this.listeners.push(listener);
    this.enabled = true;
    return () => {
      const i = this.listeners.indexOf(listener);
      if (i >= 0) this.listeners.splice(i, 1);
      this.enabled = this.level !== 'off' || this.listeners.length > 0;
    };
  }

  emit<K extends TraceKind>(kind: K, fields: TraceEventFields[K]): void {
    if (!this.enabled) return;
    const event = { seq: this.count++, tick: this.clock.now(), kind, fields } as TraceEventOf<K> as TypedTraceEvent;
    if (this.level !== 'off') this.feed(event);
    if (this.level === 'full') this.kept.push(event);
    for (const listener of this.listeners) listener(event);
  }

  /** Number of events emitted so far. */
  get length(): number {
    return this.count;
  }

  hash(): string {
    return this.hasher.hex();
  }

  events(): readonly TypedTraceEvent[] {
    if (this.level !== 'full') throw new Error(`trace level "${this.level}" keeps no events; use "full"`);
    return this.kept;
  }

  /** The kept events of one kind, typed. */
  eventsOf<K extends TraceKind>(kind: K): TraceEventOf<K>[] {
    return this.events().filter((e): e is TypedTraceEvent & TraceEventOf<K> => e.kind === kind);
  }

  toJsonl(): string {
    return this.events()
      .map((e) => serializeEvent(e))
      .join('\n');
  }

  private feed(event: TypedTraceEvent): void {
    const h = this.hasher;
    h.addNumber(event.tick).addString(event.kind);
    const fields: TraceFields = event.fields;
    for (const key in fields) {
      const value = fields[key];
      if (value === undefined) continue;
      h.addString(key);
      if (typeof value === 'number') h.addNumber(value);
      else if (typeof value === 'string') h.addString(value);
      else h.addString(value === null ? '\u0000null' : value ? '\u0000true' : '\u0000false');
    }
  }
}

const ENVELOPE_KEYS: readonly EnvelopeKey[] = ['seq', 't', 'k'];

/**
 * One event as a JSON line; key order is fixed by the emitter, so the text is stable. The envelope
 * (seq, t, k) and the fields share one object: the contract names no field like an envelope key
 * (checked at compile time), and an event emitted past it that does is our bug, so it throws rather
 * than letting the field overwrite the envelope.
 */
export function serializeEvent(event: TypedTraceEvent): string {
  for (const key of ENVELOPE_KEYS) {
    if (Object.hasOwn(event.fields, key)) throw new Error(`trace event ${event.kind}: field "${key}" collides with the envelope key of its JSON line`);
  }
  return JSON.stringify({ seq: event.seq, t: event.tick, k: event.kind, ...event.fields });
}
