/*
 * Shared by the QEMU robustness tests: colosim run as a user runs it (a child process, with its own
 * TMPDIR and working directory, so what it leaves behind can be counted), a fake qemu-system-x86_64
 * to put first on PATH, and the counting itself: processes whose command line names a marker (the
 * private TMPDIR is in every QEMU's socket and image paths), and what is left in a directory.
 */
import { execFileSync, spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const COLOSIM_BIN = fileURLToPath(new URL('../../src/cli/colosim.js', import.meta.url));

export interface Ran {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly out: string;
  readonly err: string;
}

/** A short private directory (a socket path must stay under 108 bytes). */
export function privateDir(tag: string): string {
  return mkdtempSync(join(tmpdir(), `cq-${tag}-`));
}

/** Start colosim; `onStart` gets the child (to kill it); resolves when it has exited. */
export function colosim(args: readonly string[], options: { env?: NodeJS.ProcessEnv; cwd?: string; onStart?: (pid: number) => void } = {}): Promise<Ran> {
  return new Promise<Ran>((resolve) => {
    const child = spawn(process.execPath, [COLOSIM_BIN, ...args], { env: options.env ?? process.env, cwd: options.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    const out = { out: '', err: '' };
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out.out += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (out.err += d));
    if (child.pid !== undefined) options.onStart?.(child.pid);
    child.once('close', (code, signal) => resolve({ code, signal, ...out }));
  });
}

/** Pids of live processes whose command line contains `marker` (zombies have none, so they do not count). */
export function processesNaming(marker: string): number[] {
  try {
    return execFileSync('pgrep', ['-f', marker], { encoding: 'utf8' }).trim().split('\n').filter(Boolean).map(Number);
  } catch {
    return []; // pgrep exits 1 when nothing matches
  }
}

/** What is in `dir`, except tsx's compile cache (tsx-<uid>: it runs colosim's TypeScript, it is no temp file of ours). */
export function entries(dir: string): string[] {
  return readdirSync(dir)
    .filter((e) => !/^tsx-\d+$/.test(e))
    .sort();
}

export async function waitUntil(condition: () => boolean, timeoutMs: number, pollMs = 25): Promise<boolean> {
  for (let waited = 0; ; waited += pollMs) {
    if (condition()) return true;
    if (waited >= timeoutMs) return false;
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
}

export type FakeMode = 'exit' | 'hang' | 'die-after-greeting';

/**
 * A qemu-system-x86_64 that fails as FAKE_QEMU_MODE says: `exit` prints a line and exits 1 at once;
 * `hang` opens its QMP socket and never says anything; `die-after-greeting` sends the QMP greeting and
 * kills itself with SIGKILL at the first command. Written into `binDir`, to go first on PATH.
 */
export function writeFakeQemu(binDir: string): void {
  const script = `#!${process.execPath}
const mode = process.env.FAKE_QEMU_MODE;
if (mode === 'exit') {
  process.stderr.write('fake qemu: cannot initialise\\n');
  process.exit(1);
}
const qmp = process.argv[process.argv.indexOf('-qmp') + 1];
const path = /^unix:([^,]+)/.exec(qmp)[1];
require('node:net').createServer((socket) => {
  if (mode === 'hang') return;
  socket.write(JSON.stringify({ QMP: { version: { qemu: { major: 7, minor: 2, micro: 0 }, package: 'fake' }, capabilities: [] } }) + '\\r\\n');
  socket.on('data', () => process.kill(process.pid, 'SIGKILL'));
}).listen(path);
`;
  const path = join(binDir, 'qemu-system-x86_64');
  writeFileSync(path, script);
  chmodSync(path, 0o755);
}
