/*
 * The run's structured event log: requests, completions, stage changes, operation outcomes and
 * faults, each stamped with a sequence number and the simulated tick. Every event feeds a running
 * hash, so two runs compare by one value; at level "full" the events are also kept (and can be
 * written as JSON lines) for checkers, reports and replays.
 */
import type { Clock } from './Clock.js';
import { RunningHash } from './hash.js';

export type TraceValue = string | number | boolean | null | undefined;
export type TraceFields = Readonly<Record<string, TraceValue>>;

export interface TraceEvent {
  readonly seq: number;
  readonly tick: number;
  readonly kind: string;
  readonly fields: TraceFields;
}

/** off: nothing recorded; hash: only the running hash; full: hash plus every event kept. */
export type TraceLevel = 'off' | 'hash' | 'full';

export type TraceListener = (event: TraceEvent) => void;

export class Trace {
  private readonly hasher = new RunningHash();
  private readonly kept: TraceEvent[] = [];
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

  emit(kind: string, fields: TraceFields): void {
    if (!this.enabled) return;
    const event: TraceEvent = { seq: this.count++, tick: this.clock.now(), kind, fields };
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

  events(): readonly TraceEvent[] {
    if (this.level !== 'full') throw new Error(`trace level "${this.level}" keeps no events; use "full"`);
    return this.kept;
  }

  toJsonl(): string {
    return this.events()
      .map((e) => serializeEvent(e))
      .join('\n');
  }

  private feed(event: TraceEvent): void {
    const h = this.hasher;
    h.addNumber(event.tick).addString(event.kind);
    for (const key in event.fields) {
      const value = event.fields[key];
      if (value === undefined) continue;
      h.addString(key);
      if (typeof value === 'number') h.addNumber(value);
      else if (typeof value === 'string') h.addString(value);
      else h.addString(value === null ? '\u0000null' : value ? '\u0000true' : '\u0000false');
    }
  }
}

/** One event as a JSON line; key order is fixed by the emitter, so the text is stable. */
export function serializeEvent(event: TraceEvent): string {
  return JSON.stringify({ seq: event.seq, t: event.tick, k: event.kind, ...event.fields });
}
