/*
 * The constants of the NBD protocol (the upstream NBD spec, "proto.md") that NbdClient uses:
 * fixed newstyle handshake, NBD_OPT_GO / NBD_OPT_EXPORT_NAME, simple replies only. Error numbers
 * on the wire are NBD's own, which happen to equal Linux errno values; nbdErrnoName maps them.
 */
import type { Errno } from '../sim/errno.js';

export const NBD_MAGIC = 0x4e42444d41474943n; // "NBDMAGIC"
export const NBD_IHAVEOPT = 0x49484156454f5054n; // "IHAVEOPT"
export const NBD_OPT_REPLY_MAGIC = 0x0003e889045565a9n;
export const NBD_REQUEST_MAGIC = 0x25609513;
export const NBD_SIMPLE_REPLY_MAGIC = 0x67446698;
export const NBD_STRUCTURED_REPLY_MAGIC = 0x668e33ef;

export const NBD_FLAG_FIXED_NEWSTYLE = 1 << 0;
export const NBD_FLAG_NO_ZEROES = 1 << 1;
export const NBD_FLAG_C_FIXED_NEWSTYLE = 1 << 0;
export const NBD_FLAG_C_NO_ZEROES = 1 << 1;

export const NBD_OPT_EXPORT_NAME = 1;
export const NBD_OPT_ABORT = 2;
export const NBD_OPT_GO = 7;

export const NBD_REP_ACK = 1;
export const NBD_REP_INFO = 3;
/** Reply types with this bit are errors. Kept as unsigned numbers: `|` on it would go negative in JS. */
export const NBD_REP_FLAG_ERROR = 0x80000000;
export const NBD_REP_ERR_UNSUP = repError(1);
export const NBD_INFO_EXPORT = 0;

/** Transmission flags (per export). */
export const NBD_FLAG_HAS_FLAGS = 1 << 0;
export const NBD_FLAG_READ_ONLY = 1 << 1;
export const NBD_FLAG_SEND_FLUSH = 1 << 2;

export const NBD_CMD_READ = 0;
export const NBD_CMD_WRITE = 1;
export const NBD_CMD_DISC = 2;
export const NBD_CMD_FLUSH = 3;
export const NBD_CMD_TRIM = 4;
export const NBD_CMD_WRITE_ZEROES = 6;

/** Command flags. NO_HOLE: a write-zeroes must leave the range allocated (no unmap). */
export const NBD_CMD_FLAG_NO_HOLE = 1 << 1;

export const NBD_REQUEST_HEADER_BYTES = 28;
export const NBD_SIMPLE_REPLY_HEADER_BYTES = 16;
/** What EXPORT_NAME's answer carries after size and flags unless NO_ZEROES was agreed. */
export const NBD_EXPORT_NAME_ZEROES_BYTES = 124;

/** Error numbers NBD defines (proto.md "Error values"); anything else a client treats as EINVAL. */
const NBD_ERRORS: Readonly<Record<number, NbdErrno>> = {
  1: 'EPERM',
  5: 'EIO',
  12: 'ENOMEM',
  22: 'EINVAL',
  28: 'ENOSPC',
  75: 'EOVERFLOW',
  95: 'ENOTSUP',
  108: 'ESHUTDOWN',
};

/** colosim's errno names plus EOVERFLOW, which only NBD speaks (a read too large for its reply form). */
export type NbdErrno = Errno | 'EOVERFLOW';

/** The name of an NBD reply's error number; unknown numbers read as EINVAL, as the spec advises. */
export function nbdErrnoName(error: number): NbdErrno {
  return NBD_ERRORS[error] ?? 'EINVAL';
}

function repError(n: number): number {
  return (NBD_REP_FLAG_ERROR | n) >>> 0;
}

export function optionReplyTypeName(type: number): string {
  const names: Record<number, string> = {
    [NBD_REP_ACK]: 'NBD_REP_ACK',
    [NBD_REP_INFO]: 'NBD_REP_INFO',
    [NBD_REP_ERR_UNSUP]: 'NBD_REP_ERR_UNSUP',
    [repError(2)]: 'NBD_REP_ERR_POLICY',
    [repError(3)]: 'NBD_REP_ERR_INVALID',
    [repError(4)]: 'NBD_REP_ERR_PLATFORM',
    [repError(5)]: 'NBD_REP_ERR_TLS_REQD',
    [repError(6)]: 'NBD_REP_ERR_UNKNOWN',
    [repError(7)]: 'NBD_REP_ERR_SHUTDOWN',
    [repError(8)]: 'NBD_REP_ERR_BLOCK_SIZE_REQD',
    [repError(9)]: 'NBD_REP_ERR_TOO_BIG',
  };
  return names[type] ?? `reply type 0x${type.toString(16)}`;
}
