/*
 * Answers remembered per (state object, event), for the charts' pure steps: a step is a function of
 * (state, event), a campaign asks the same few questions of the same state objects millions of
 * times, and states come from caches, so the state object itself is the first key (a WeakMap: a
 * state nobody holds takes its answers with it). The event is keyed by `eventKey`, which spells out
 * its fields' values with their kinds: two events get the same key only when they hold the same
 * values, and it costs about half of the JSON.stringify it replaces (no escaping scan, no number
 * formatting beyond String). A field that is undefined is keyed as such, so `{ fault: undefined }`
 * and no fault are two keys for one answer: a second computation, never a wrong answer.
 */

/** The answers known for each state, by event key. */
export class EventMemo<S extends object, V, E = unknown> {
  private readonly known = new WeakMap<S, Map<string, V>>();

  /** The answers remembered for `state` (an empty map the first time it is asked about). */
  of(state: S): Map<string, V> {
    let answers = this.known.get(state);
    if (answers === undefined) this.known.set(state, (answers = new Map()));
    return answers;
  }

  /**
   * The answer to `event` in `state`: the one remembered, or `compute`'s (given the event's key, for
   * a cache of its own), remembered. `compute` is passed, not made per call, so asking costs no closure.
   */
  answer(state: S, event: E, compute: (state: S, event: E, key: string) => V): V {
    return this.answerKeyed(state, event, eventKey(event), compute);
  }

  /**
   * `answer`, given the event's key (`eventKey(event)`, made once for an event that is asked
   * about again and again: a kept string also keeps its hash, so the lookup hashes nothing).
   */
  answerKeyed(state: S, event: E, key: string, compute: (state: S, event: E, key: string) => V): V {
    const known = this.of(state);
    let answer = known.get(key);
    if (answer === undefined) {
      answer = compute(state, event, key);
      known.set(key, answer);
    }
    return answer;
  }
}

/**
 * A key for a chart event (plain data: strings, numbers, booleans, undefined, null, arrays and
 * objects of them), equal for two events exactly when their fields, in order, hold equal values.
 * Strings carry their length, so no string can read as the end of another one.
 */
export function eventKey(value: unknown): string {
  switch (typeof value) {
    case 'string':
      return `${value.length}'${value}`;
    case 'number':
      return `#${value}`;
    case 'boolean':
      return value ? 'T' : 'F';
    case 'undefined':
      return 'U';
    case 'object':
      if (value === null) return 'N';
      if (Array.isArray(value)) {
        let key = '[';
        for (const item of value) key += `${eventKey(item)},`;
        return `${key}]`;
      } else {
        let key = '{';
        const fields = value as Record<string, unknown>;
        for (const field in fields) key += `${field}=${eventKey(fields[field])};`;
        return `${key}}`;
      }
    default:
      throw new TypeError(`a chart event holds plain data, not a ${typeof value}`);
  }
}
