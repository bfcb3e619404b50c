/*
 * The two behaviours the models describe: QEMU 7.2 (reference §2) and the 2016 v24 patch (§2.9).
 * The scenario format names the same two; the models keep their own list so they import only types
 * from the engine's side.
 */
import type { Profile } from '../../src/scenario/Scenario.js';

export const MODEL_PROFILES: readonly Profile[] = ['qemu-7.2', 'v24'];
