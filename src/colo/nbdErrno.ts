/*
 * NBD carries only a few error values; QEMU's server maps any other errno to EINVAL
 * (system_errno_to_nbd_errno) and the client maps them back. Guest I/O in colosim goes through NBD
 * exports, as the QEMU backend's does, so results carry what an NBD client would see.
 */
import type { Errno } from '../sim/errno.js';

/** The values NBD carries besides EINVAL, which is also what every value not carried becomes. */
const CARRIED: ReadonlySet<Errno> = new Set<Errno>(['EPERM', 'EIO', 'ENOMEM', 'ENOSPC', 'ESHUTDOWN', 'ENOTSUP']);

export function throughNbd(errno: Errno): Errno {
  return CARRIED.has(errno) ? errno : 'EINVAL';
}

/**
 * What QEMU 7.2's NBD server answers a request that reaches past the export's end, before the block
 * layer sees it: EINVAL for reads and writes alike (observed, src/qemu/OBSERVATIONS.md).
 */
export const PAST_EOF_ERRNO: Readonly<Record<'read' | 'write' | 'write-zeroes' | 'discard', Errno>> = { read: 'EINVAL', write: 'EINVAL', 'write-zeroes': 'EINVAL', discard: 'EINVAL' };
