/*
 * Compares a peek with the data model while the node hands its bytes over (BlockNode.peekRuns),
 * so nothing is copied: a piece of bytes is scanned where it lies in the store, a uniform piece (a
 * run of never-written or zeroed chunks) is judged by whether each expected set over it admits its
 * byte, without looking at any byte. The verdict is the same as firstMismatch's on a copy: the
 * first disallowed byte in disk order. Limit: the expected runs must cover the range in order.
 */
import { type ByteSet, admits, isAnyByte } from '../../models/data/ByteSet.js';
import type { ExpectedRun } from '../../models/data/ReplicationData.js';
import type { PeekSink } from '../block/SectorStore.js';
import { type ByteMismatch, firstDisallowed, firstNot } from './compareBytes.js';

export class RunComparison implements PeekSink {
  private expected: readonly ExpectedRun[] = [];
  /** The first expected run that may still overlap the next piece (pieces arrive in disk order). */
  private cursor = 0;
  /** The first disallowed byte seen, or null while all held. */
  mismatch: ByteMismatch | null = null;

  /** Start comparing a peek whose bytes `expected` covers. */
  begin(expected: readonly ExpectedRun[]): this {
    this.expected = expected;
    this.cursor = 0;
    this.mismatch = null;
    return this;
  }

  bytes(offset: number, data: Uint8Array, at: number, n: number): void {
    if (this.mismatch !== null) return;
    const end = offset + n;
    for (let i = this.skipTo(offset); i < this.expected.length; i++) {
      const run = this.expected[i]!;
      if (run.offset >= end) return;
      const from = at + Math.max(run.offset, offset) - offset;
      const to = at + Math.min(run.offset + run.length, end) - offset;
      const j = scan(data, from, to, run.values);
      if (j < to) return void (this.mismatch = { offset: offset + j - at, actual: data[j]!, allowed: run.values });
    }
  }

  uniform(offset: number, n: number, byte: number): void {
    if (this.mismatch !== null) return;
    const end = offset + n;
    for (let i = this.skipTo(offset); i < this.expected.length; i++) {
      const run = this.expected[i]!;
      if (run.offset >= end) return;
      if (!admits(run.values, byte)) return void (this.mismatch = { offset: Math.max(run.offset, offset), actual: byte, allowed: run.values });
    }
  }

  /** Moves the cursor past the runs that end at or before `offset`. */
  private skipTo(offset: number): number {
    while (this.cursor < this.expected.length && this.expected[this.cursor]!.offset + this.expected[this.cursor]!.length <= offset) this.cursor++;
    return this.cursor;
  }
}

/** The first index in [from, to) whose byte is outside `values` (to: none), as firstMismatch scans. */
function scan(data: Uint8Array, from: number, to: number, values: ByteSet): number {
  if (values.length === 1) return firstNot(data, from, to, values[0]!);
  return isAnyByte(values) ? to : firstDisallowed(data, from, to, values);
}
