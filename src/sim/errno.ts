/*
 * The errno names colosim speaks. QEMU's block layer returns negative errno values; colosim carries
 * the name (as result documents and fault plans do) and the Linux number only where QEMU prints it.
 */

export const ERRNO_NUMBERS = {
  EPERM: 1,
  EIO: 5,
  ENOMEM: 12,
  EBUSY: 16,
  EINVAL: 22,
  ENOSPC: 28,
  ENOMEDIUM: 123,
  ENOTSUP: 95,
  ECONNRESET: 104,
  ENOTCONN: 107,
  ESHUTDOWN: 108,
  ECANCELED: 125,
} as const;

export type Errno = keyof typeof ERRNO_NUMBERS;

export const ERRNO_NAMES = Object.keys(ERRNO_NUMBERS) as Errno[];

export function isErrno(value: unknown): value is Errno {
  return typeof value === 'string' && Object.hasOwn(ERRNO_NUMBERS, value);
}

/** glibc's strerror text, which QEMU appends to messages built with error_setg_errno. */
export const STRERROR: Readonly<Record<Errno, string>> = {
  EPERM: 'Operation not permitted',
  EIO: 'Input/output error',
  ENOMEM: 'Cannot allocate memory',
  EBUSY: 'Device or resource busy',
  EINVAL: 'Invalid argument',
  ENOSPC: 'No space left on device',
  ENOMEDIUM: 'No medium found',
  ENOTSUP: 'Operation not supported',
  ECONNRESET: 'Connection reset by peer',
  ENOTCONN: 'Transport endpoint is not connected',
  ESHUTDOWN: 'Cannot send after transport endpoint shutdown',
  ECANCELED: 'Operation canceled',
};
