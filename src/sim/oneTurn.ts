/*
 * One promise, already fulfilled, for code that has nothing to wait for but must keep the microtask
 * turn an async call took: awaiting it takes exactly one turn, as awaiting an async function that
 * returns at once did, so schedules, traces and hashes stay the same, and no promise is made per
 * call. Shared by the scheduler's steps and the block layer's waits without a wait.
 */
export const ONE_TURN: Promise<void> = Promise.resolve();
