import { describe, expect, it } from 'vitest';
import { addDataCheck, dataCheckFrom, emptyDataCheck, localeOrder } from './DataCheckCount.js';

describe('DataCheckCount', () => {
  it('sums cases, reasons sorted, the fraction recomputed', () => {
    const a = dataCheckFrom(4, 3, new Map([['padding-undefined', 1]]));
    const b = dataCheckFrom(6, 6, new Map([['control-step-in-concurrent-group', 2], ['padding-undefined', 2]]));
    expect(addDataCheck(a, b)).toEqual({ diskSteps: 10, checked: 9, checkedFraction: 0.9, indeterminate: { 'control-step-in-concurrent-group': 2, 'padding-undefined': 3 } });
  });

  it('keeps the reasons sorted whether a case brings a new one or not, and sorts a sum it did not make', () => {
    let sum = emptyDataCheck();
    for (const reasons of [['race'], ['carried-over', 'race'], ['race'], ['commit-in-flight'], ['carried-over']]) {
      sum = addDataCheck(sum, dataCheckFrom(1, 1, new Map(reasons.map((r) => [r, 1]))));
      expect(Object.keys(sum.indeterminate)).toEqual([...Object.keys(sum.indeterminate)].sort((x, y) => x.localeCompare(y)));
    }
    expect(sum).toEqual({ diskSteps: 5, checked: 5, checkedFraction: 1, indeterminate: { 'carried-over': 2, 'commit-in-flight': 1, race: 3 } });
    const parsed = { diskSteps: 2, checked: 1, checkedFraction: 0.5, indeterminate: { race: 1, 'carried-over': 1 } };
    expect(Object.keys(addDataCheck(parsed, dataCheckFrom(1, 1, new Map([['race', 1]]))).indeterminate)).toEqual(['carried-over', 'race']);
  });

  it('no disk-step: nothing unchecked', () => {
    expect(emptyDataCheck()).toEqual({ diskSteps: 0, checked: 0, checkedFraction: 1, indeterminate: {} });
  });
});

describe('localeOrder', () => {
  it('sorts as localeCompare does, the same answer when the list comes again', () => {
    const keys = ['race', 'Carried-over', 'carried-over', 'commit-in-flight', 'a-b', 'ab', 'model-cannot-apply-cow'];
    const expected = ['a-b', 'ab', 'carried-over', 'Carried-over', 'commit-in-flight', 'model-cannot-apply-cow', 'race'];
    expect(localeOrder(keys)).toEqual(expected);
    expect(localeOrder([...keys])).toEqual(expected);
    expect(localeOrder(['b', 'a'])).toEqual(['a', 'b']);
    expect(localeOrder(['a', 'b'])).toEqual(['a', 'b']);
    expect(localeOrder(['only'])).toEqual(['only']);
    expect(localeOrder([])).toEqual([]);
    expect(keys[0]).toBe('race');
  });
});
