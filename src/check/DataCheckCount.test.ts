import { describe, expect, it } from 'vitest';
import { addDataCheck, dataCheckFrom, emptyDataCheck } from './DataCheckCount.js';

describe('DataCheckCount', () => {
  it('sums cases, reasons sorted, the fraction recomputed', () => {
    const a = dataCheckFrom(4, 3, new Map([['padding-undefined', 1]]));
    const b = dataCheckFrom(6, 6, new Map([['control-step-in-concurrent-group', 2], ['padding-undefined', 2]]));
    expect(addDataCheck(a, b)).toEqual({ diskSteps: 10, checked: 9, checkedFraction: 0.9, indeterminate: { 'control-step-in-concurrent-group': 2, 'padding-undefined': 3 } });
  });

  it('no disk-step: nothing unchecked', () => {
    expect(emptyDataCheck()).toEqual({ diskSteps: 0, checked: 0, checkedFraction: 1, indeterminate: {} });
  });
});
