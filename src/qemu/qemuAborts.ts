/*
 * The QEMU aborts colosim knows, by what the dying QEMU prints last (a CRASH result carries it:
 * SideCalls.ts). Each is a QEMU bug seen on real QEMU and recorded in src/qemu/OBSERVATIONS.md with
 * the versions; the differential comparison (src/check/differential.ts) counts a scenario whose QEMU
 * died of one, where the engine predicts no crash, as explained by it (its steps before the crash
 * compared, the rest not), instead of ending the campaign with no verdict. An abort is recognised
 * only with its SIGABRT, its exact last output and the step shape it needs: a concurrent step that
 * checkpoints the secondary, at or just before the step that met the crash.
 */
import type { Scenario, Step } from '../scenario/Scenario.js';

export interface QemuAbort {
  /** Stable id, counted under `explained` like a divergence's. */
  readonly id: string;
  /** The versions it was seen on. */
  readonly qemu: string;
  /** The dying QEMU's last output, whole. */
  readonly output: RegExp;
}

/** All three are the same race: `checkpoint secondary` while forwarded writes are copied into hidden (OBSERVATIONS §14). */
export const QEMU_ABORTS: readonly QemuAbort[] = [
  {
    id: 'block-copy-conflict-after-checkpoint',
    qemu: '7.2.22, 10.0.2, 10.0.13',
    output: /^qemu-system-x86_64: (\.\.\/\.\.\/)?block\/block-copy\.c:\d+: block_copy_task_create: Assertion `!reqlist_find_conflict\(&s->reqs, offset, bytes\)' failed\.$/,
  },
  {
    id: 'qcow2-cache-offset-zero-after-checkpoint',
    qemu: '7.2.22',
    output: /^qemu-system-x86_64: (\.\.\/\.\.\/)?block\/qcow2-cache\.c:\d+: qcow2_cache_do_get: Assertion `offset != 0' failed\.$/,
  },
  {
    id: 'qcow2-first-cluster-in-use-after-checkpoint',
    qemu: '7.2.22, 10.0.2, 10.0.13',
    output: /^First cluster in emptied image is in use$/,
  },
];

const SIGABRT = 'killed by SIGABRT, its last output: ';

/**
 * The documented abort `seen` (crashSeen's text: how the process ended, with its last output) is,
 * for a crash met at top-level step `step` of `scenario`; undefined when it is none of them or the
 * scenario has no concurrent secondary checkpoint there.
 */
export function documentedAbort(scenario: Scenario, step: number, seen: string): QemuAbort | undefined {
  if (!seen.startsWith(SIGABRT)) return undefined;
  const output = seen.slice(SIGABRT.length);
  const racing = [step, step - 1].some((i) => checkpointsSecondaryConcurrently(scenario.steps[i]));
  return racing ? QEMU_ABORTS.find((a) => a.output.test(output)) : undefined;
}

function checkpointsSecondaryConcurrently(step: Step | undefined): boolean {
  return step?.do === 'concurrent' && step.steps.some((s) => s.do === 'checkpoint' && s.side !== 'primary');
}
