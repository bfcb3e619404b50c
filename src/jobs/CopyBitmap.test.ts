// The copy bitmap's bookkeeping at its edges: the cluster count of a disk that is not a cluster
// multiple, indexes outside the disk, and both storage modes (nothing armed by default, or all
// armed after a checkpoint with the taken clusters as the exceptions).
import { describe, expect, it } from 'vitest';
import { CopyBitmap } from './CopyBitmap.js';

const CS = 65536;

describe('CopyBitmap', () => {
  it('counts a partial last cluster as a cluster', () => {
    expect(new CopyBitmap(4 * CS, CS).clusters).toBe(4);
    expect(new CopyBitmap(4 * CS + 512, CS).clusters).toBe(5);
    expect(new CopyBitmap(512, CS).clusters).toBe(1);
  });

  it('arms nothing until a checkpoint arms every cluster', () => {
    const b = new CopyBitmap(4 * CS, CS);
    expect([0, 1, 2, 3].map((c) => b.isArmed(c))).toEqual([false, false, false, false]);
    expect(b.armedCount()).toBe(0);
    expect(b.nextArmed(0)).toBeNull();
    expect(b.take(0)).toBe(false);
    b.armAll();
    expect([0, 1, 2, 3].map((c) => b.isArmed(c))).toEqual([true, true, true, true]);
    expect(b.armedCount()).toBe(4);
  });

  it('never arms an index outside the disk, even after armAll or rearm', () => {
    const b = new CopyBitmap(4 * CS, CS);
    b.armAll();
    expect(b.isArmed(-1)).toBe(false);
    expect(b.isArmed(4)).toBe(false);
    expect(b.take(4)).toBe(false);
    expect(b.take(-1)).toBe(false);
    expect(b.armedCount()).toBe(4);
    const fresh = new CopyBitmap(4 * CS, CS);
    fresh.rearm(4);
    fresh.rearm(-1);
    expect(fresh.armedCount()).toBe(0);
    expect(fresh.nextArmed(-5)).toBeNull();
  });

  it('takes an armed cluster once, and a rearm gives it back', () => {
    const b = new CopyBitmap(4 * CS, CS);
    b.armAll();
    expect(b.take(2)).toBe(true);
    expect(b.take(2)).toBe(false);
    expect(b.isArmed(2)).toBe(false);
    expect(b.armedCount()).toBe(3);
    b.rearm(2);
    expect(b.isArmed(2)).toBe(true);
    expect(b.armedCount()).toBe(4);
    expect(b.take(2)).toBe(true);
    b.armAll();
    expect(b.isArmed(2)).toBe(true);
    expect(b.armedCount()).toBe(4);
  });

  it('finds the lowest armed cluster at or after a start, after armAll', () => {
    const b = new CopyBitmap(4 * CS, CS);
    b.armAll();
    b.take(0);
    b.take(1);
    b.take(3);
    expect(b.nextArmed(-3)).toBe(2);
    expect(b.nextArmed(0)).toBe(2);
    expect(b.nextArmed(2)).toBe(2);
    expect(b.nextArmed(3)).toBeNull();
    b.take(2);
    expect(b.nextArmed(0)).toBeNull();
    expect(b.armedCount()).toBe(0);
  });

  it('finds the lowest armed cluster at or after a start, with only rearmed clusters', () => {
    const b = new CopyBitmap(8 * CS, CS);
    b.rearm(6);
    b.rearm(3);
    b.rearm(5);
    expect(b.armedCount()).toBe(3);
    expect(b.nextArmed(0)).toBe(3);
    expect(b.nextArmed(3)).toBe(3);
    expect(b.nextArmed(4)).toBe(5);
    expect(b.nextArmed(6)).toBe(6);
    expect(b.nextArmed(7)).toBeNull();
    expect(b.take(3)).toBe(true);
    expect(b.nextArmed(0)).toBe(5);
    expect(b.armedCount()).toBe(2);
  });

  it('lists the clusters of a range in order, clipped to the disk', () => {
    const b = new CopyBitmap(4 * CS + 512, CS);
    expect(b.clustersBetween(1, 3)).toEqual([1, 2]);
    expect(b.clustersBetween(3, 9)).toEqual([3, 4]);
    expect(b.clustersBetween(-2, 2)).toEqual([0, 1]);
    expect(b.clustersBetween(2, 2)).toEqual([]);
    expect(b.clustersBetween(3, 1)).toEqual([]);
    expect(b.clustersBetween(5, 7)).toEqual([]);
  });
});
