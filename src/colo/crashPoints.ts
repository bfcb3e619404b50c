/*
 * The named places where a crash fault can end a process: on the primary, just before a forwarded
 * write leaves over the link and just after the local disk finished a write (so between the local
 * and the forwarded copy); on the secondary, before the backup job copies a cluster, between a
 * checkpoint's two make_empty calls, and between two chunks of the failover commit.
 */
export const CRASH_POINTS = [
  'primary:before-forward',
  'primary:after-local-write',
  'secondary:before-cow',
  'secondary:between-make-empty',
  'secondary:during-commit',
] as const;

export type CrashPoint = (typeof CRASH_POINTS)[number];
