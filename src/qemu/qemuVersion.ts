/*
 * Which QEMU a process is, from its own answer to `query-version` over QMP (never from the binary's
 * name or --version text): "10.0.2", with Debian's package string when it gives one.
 */
import type { QmpClient } from './QmpClient.js';

export interface QemuVersion {
  readonly major: number;
  readonly minor: number;
  readonly micro: number;
  /** e.g. "Debian 1:10.0.2+ds-2+deb13u1~bpo12+1"; '' when the build has none. */
  readonly package: string;
}

interface QueryVersionAnswer {
  readonly qemu: { readonly major: number; readonly minor: number; readonly micro: number };
  readonly package?: string;
}

export async function queryVersion(qmp: QmpClient): Promise<QemuVersion> {
  const answer = await qmp.execute<QueryVersionAnswer>('query-version');
  return { ...answer.qemu, package: (answer.package ?? '').trim() };
}

/** "10.0.2": what result documents record as `qemuVersion`. */
export function versionString(version: QemuVersion): string {
  return `${version.major}.${version.minor}.${version.micro}`;
}
