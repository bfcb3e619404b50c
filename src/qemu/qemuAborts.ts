/*
 * The QEMU aborts colosim knows, by what the dying QEMU prints last (a CRASH result carries it:
 * SideCalls.ts). Each is a QEMU bug seen on real QEMU and recorded in src/qemu/OBSERVATIONS.md with
 * the versions; the differential comparison (src/check/differential.ts) counts a scenario whose QEMU
 * died of one, where the engine predicts no crash, as explained by it (its steps before the crash
 * compared, the rest not), instead of ending the campaign with no verdict. An abort is recognised
 * only with its signal, its exact last output and the step shape it needs: a concurrent step that
 * checkpoints the secondary, at or just before the step that met the crash (for damage the race
 * left behind, at any step before it).
 */
import type { Scenario, Step } from '../scenario/Scenario.js';

export interface QemuAbort {
  /** Stable id, counted under `explained` like a divergence's. */
  readonly id: string;
  /** The versions it was seen on. */
  readonly qemu: string;
  /** How the process died. */
  readonly signal: 'SIGABRT' | 'SIGSEGV';
  /** The dying QEMU's last output, whole. */
  readonly output: RegExp;
  /**
   * Where the racing step may be: at the step that met the crash or the one before it (an abort
   * in the race itself), or at any earlier step (damage the race left, met later).
   */
  readonly race: 'adjacent' | 'earlier';
}

/** All are the same race: `checkpoint secondary` while forwarded writes are copied into hidden (OBSERVATIONS §14). */
export const QEMU_ABORTS: readonly QemuAbort[] = [
  {
    id: 'block-copy-conflict-after-checkpoint',
    qemu: '7.2.22, 10.0.2, 10.0.13',
    signal: 'SIGABRT',
    output: /^qemu-system-x86_64: (\.\.\/\.\.\/)?block\/block-copy\.c:\d+: block_copy_task_create: Assertion `!reqlist_find_conflict\(&s->reqs, offset, bytes\)' failed\.$/,
    race: 'adjacent',
  },
  {
    id: 'qcow2-cache-offset-zero-after-checkpoint',
    qemu: '7.2.22',
    signal: 'SIGABRT',
    output: /^qemu-system-x86_64: (\.\.\/\.\.\/)?block\/qcow2-cache\.c:\d+: qcow2_cache_do_get: Assertion `offset != 0' failed\.$/,
    race: 'adjacent',
  },
  {
    id: 'qcow2-first-cluster-in-use-after-checkpoint',
    qemu: '7.2.22, 10.0.2, 10.0.13',
    signal: 'SIGABRT',
    output: /^First cluster in emptied image is in use$/,
    race: 'adjacent',
  },
  {
    // Seen once, at a failover two steps after the race (diff --generate 300 --seed 1 --concurrent): the image the race left corrupt.
    id: 'qcow2-corrupt-after-checkpoint-race',
    qemu: '7.2.22',
    signal: 'SIGSEGV',
    output: /^qcow2: Marking image as corrupt: Preventing invalid write on metadata \(overlaps with [A-Za-z0-9 ]+\); further corruption events will be suppressed$/,
    race: 'earlier',
  },
];


/**
 * The documented abort `seen` (crashSeen's text: how the process ended, with its last output) is,
 * for a crash met at top-level step `step` of `scenario`; undefined when it is none of them or the
 * scenario has no concurrent secondary checkpoint there.
 */
export function documentedAbort(scenario: Scenario, step: number, seen: string): QemuAbort | undefined {
  const died = /^killed by (SIG[A-Z]+), its last output: (.*)$/.exec(seen);
  if (died === null) return undefined;
  const [, signal, output] = died;
  const known = QEMU_ABORTS.find((a) => a.signal === signal && a.output.test(output!));
  if (known === undefined) return undefined;
  const where = known.race === 'adjacent' ? [step, step - 1] : Array.from({ length: step + 1 }, (_, i) => i);
  return where.some((i) => checkpointsSecondaryConcurrently(scenario.steps[i])) ? known : undefined;
}

function checkpointsSecondaryConcurrently(step: Step | undefined): boolean {
  return step?.do === 'concurrent' && step.steps.some((s) => s.do === 'checkpoint' && s.side !== 'primary');
}
