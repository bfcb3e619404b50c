/*
 * A simulated process died: QEMU would have aborted, failed an assertion or dereferenced a freed
 * or NULL pointer here, or a crash fault fired. It is an outcome of the system under test, reported
 * as "the side crashed", never a JavaScript exception escaping the simulation.
 */

import { OutcomeError } from '../util/OutcomeError.js';

export class SimulatedCrash extends OutcomeError {
  readonly code = 'CRASH';
  constructor(
    /** Which process crashed, e.g. "secondary". */
    readonly side: string,
    /** What QEMU would have done, e.g. "NULL dereference of the secondary disk in secondary_do_checkpoint". */
    readonly reason: string,
    /** True when a crash fault of the plan fired (the side is lost on purpose), false for a bug. */
    readonly injected = false,
  ) {
    super(crashMessage(side, reason));
  }
}

export function isSimulatedCrash(error: unknown): error is SimulatedCrash {
  return error instanceof SimulatedCrash;
}

/** A crash's message, as its operation's error carries it: "the <side> side crashed: <reason>". */
function crashMessage(side: string, reason: string): string {
  return `the ${side} side crashed: ${reason}`;
}

const CRASH_PREFIXES = [['primary', crashMessage('primary', '')], ['secondary', crashMessage('secondary', '')]] as const;

/**
 * The side and reason of an error message that is a crash's (a replication operation answered by
 * its process dying under it), or null for any other message. The checkers read operations' errors
 * this way; the message is the one place the two meet.
 */
export function parseCrashMessage(message: string): { readonly side: 'primary' | 'secondary'; readonly reason: string } | null {
  for (const [side, prefix] of CRASH_PREFIXES) if (message.startsWith(prefix)) return { side, reason: message.slice(prefix.length) };
  return null;
}
