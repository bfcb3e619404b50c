import { describe, expect, it } from 'vitest';
import { ERRNO_NAMES, ERRNO_NUMBERS, STRERROR, isErrno } from './errno.js';

describe('errno', () => {
  it('knows the Linux numbers QEMU prints', () => {
    expect([ERRNO_NUMBERS.EIO, ERRNO_NUMBERS.ENOSPC, ERRNO_NUMBERS.ENOTSUP, ERRNO_NUMBERS.ENOMEDIUM, ERRNO_NUMBERS.ECANCELED]).toEqual([5, 28, 95, 123, 125]);
  });

  it('has a strerror text for every name', () => {
    expect(Object.keys(STRERROR).sort()).toEqual([...ERRNO_NAMES].sort());
    expect(STRERROR.EIO).toBe('Input/output error');
    expect(STRERROR.ENOTSUP).toBe('Operation not supported');
  });

  it('recognises names, not numbers or prototype keys', () => {
    expect([isErrno('EIO'), isErrno('EFOO'), isErrno(5), isErrno('toString'), isErrno(undefined)]).toEqual([true, false, false, false, false]);
  });
});
