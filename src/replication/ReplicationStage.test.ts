import { describe, expect, it } from 'vitest';
import { MODE_NUMBER, type ReplicationMode, type ReplicationStage, STAGES, ioStatus } from './ReplicationStage.js';

/** Reference §2.4's io_status table, written out: stage -> [PRIMARY, SECONDARY]. */
const REFERENCE_IO_STATUS: Readonly<Record<ReplicationStage, readonly [number, number]>> = {
  NONE: [-1, -1],
  RUNNING: [0, 0],
  FAILOVER: [-1, 0],
  FAILOVER_FAILED: [-1, 1],
  DONE: [-1, 0],
};

describe('ReplicationStage', () => {
  it('lists the five stages in their forward order', () => {
    expect(STAGES).toEqual(['NONE', 'RUNNING', 'FAILOVER', 'FAILOVER_FAILED', 'DONE']);
  });

  it("numbers the modes as QEMU's enum does (PRIMARY 0, SECONDARY 1)", () => {
    expect(MODE_NUMBER).toEqual({ primary: 0, secondary: 1 });
  });

  it('ioStatus matches reference §2.4 for every stage and mode', () => {
    const modes: readonly ReplicationMode[] = ['primary', 'secondary'];
    const table = Object.fromEntries(STAGES.map((stage) => [stage, modes.map((mode) => ioStatus(stage, mode))]));
    expect(table).toEqual(REFERENCE_IO_STATUS);
  });
});
