/*
 * The secondary's start-time checks of its disk chain (reference §2.6 steps 1-5), in QEMU's order
 * with QEMU's messages: active must have a backing file, hidden must have one, the secondary disk
 * must sit under a BlockBackend, all three must have the same length, active and hidden must
 * support make_empty. The disks found before a failing check are returned too: the 2016 code had
 * already stored them, which decides whether a later checkpoint crashes or reports an error.
 */
import type { BlockNode } from '../block/BlockNode.js';
import { MSG } from './messages.js';

export interface SecondaryChain {
  readonly active: BlockNode;
  readonly hidden: BlockNode;
  readonly secondary: BlockNode;
}

export interface ChainCheck {
  /** The disks found so far (all three when the check passed). */
  readonly found: Partial<SecondaryChain>;
  /** QEMU's message for the first failing check, or null. */
  readonly error: string | null;
}

export function checkSecondaryChain(file: BlockNode | null): ChainCheck {
  const active = file ?? undefined;
  if (!active || !active.backing) return { found: { active }, error: MSG.activeNoBacking };
  const hidden = active.backing;
  if (!hidden.backing) return { found: { active, hidden }, error: MSG.hiddenNoBacking };
  const secondary = hidden.backing;
  const found = { active, hidden, secondary };
  if (!secondary.hasBackend) return { found, error: MSG.secondaryNoBackend };
  if (active.length !== hidden.length || hidden.length !== secondary.length) return { found, error: MSG.lengthsDiffer };
  if (!active.supportsMakeEmpty || !hidden.supportsMakeEmpty) return { found, error: MSG.noMakeEmpty };
  return { found, error: null };
}
