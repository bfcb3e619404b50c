/*
 * For tests only: run one async function as a scheduler task to the end (the simulation is driven
 * by the scheduler, not by awaiting the engine directly), and make byte buffers of one value.
 */
import type { SimEnv } from '../../sim/SimEnv.js';

/** Spawn `fn` as a task, run the scheduler until quiescent, return its result (or throw its error). */
export async function run<T>(env: SimEnv, fn: () => Promise<T>): Promise<T> {
  const task = env.sched.spawn('test', fn);
  await env.sched.run();
  return task.result();
}

/** `bytes` bytes of `value`. */
export const filled = (bytes: number, value: number): Uint8Array => new Uint8Array(bytes).fill(value);
