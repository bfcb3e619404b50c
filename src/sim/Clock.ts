/*
 * Time as the engine sees it: integer ticks (nanoseconds). The engine only ever reads a Clock;
 * the scheduler is the one place that moves simulated time forward.
 */

export interface Clock {
  /** Current time in ticks (nanoseconds). */
  now(): number;
}

export const TICKS_PER_SECOND = 1_000_000_000;
