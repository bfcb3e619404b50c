import { describe, expect, it } from 'vitest';
import { dataCheckFrom } from '../check/DataCheckCount.js';
import { formatDataCheck } from './formatSummary.js';

describe('formatDataCheck', () => {
  it('prints checked of disk-steps, the percentage and the indeterminate reasons', () => {
    expect(formatDataCheck(dataCheckFrom(2000, 1998, new Map([['secondary-write-failed', 3], ['padding-undefined', 7]])))).toBe(
      '1998 of 2000 disk-steps checked (99.9 %); indeterminate (checked against the admissible set): padding-undefined 7, secondary-write-failed 3',
    );
    expect(formatDataCheck(dataCheckFrom(5, 5, new Map()))).toBe('5 of 5 disk-steps checked (100.0 %)');
  });
});
