/*
 * The watchdog: one small process per colosim process, in a process group of its own, reading a pipe
 * from colosim. colosim tells it the pid of every child it starts ("+pid") and of every child that
 * ended ("-pid"). When the pipe closes, colosim is gone, however it ended (SIGKILL included): the
 * watchdog SIGKILLs the children still listed and removes colosim's temp directories
 * (colosim-qemu-<pid>-* in the roots it was given), then exits. With setpriv's parent-death signal
 * (spawnBound.ts) the children are dead already; the list is the fallback where setpriv is missing.
 */
import { type ChildProcess, spawn } from 'node:child_process';

/** Run by `node -e`; argv: owner pid, then the temp roots. Plain CommonJS, no imports of ours. */
const WATCHDOG_SCRIPT = `
const { readdirSync, rmSync } = require('node:fs');
const { join } = require('node:path');
const [owner, ...roots] = process.argv.slice(1);
const prefix = 'colosim-qemu-' + owner + '-';
const pids = new Set();
let pending = '';
function cleanUp() {
  for (const pid of pids) { try { process.kill(Number(pid), 'SIGKILL'); } catch {} }
  for (const root of roots) {
    let entries = [];
    try { entries = readdirSync(root); } catch {}
    for (const entry of entries) if (entry.startsWith(prefix)) rmSync(join(root, entry), { recursive: true, force: true });
  }
  process.exit(0);
}
process.stdin.setEncoding('utf8');
process.stdin.on('data', (chunk) => {
  pending += chunk;
  for (let nl = pending.indexOf('\\n'); nl >= 0; nl = pending.indexOf('\\n')) {
    const line = pending.slice(0, nl);
    pending = pending.slice(nl + 1);
    if (line[0] === '+') pids.add(line.slice(1));
    else if (line[0] === '-') pids.delete(line.slice(1));
  }
});
process.stdin.on('end', cleanUp);
process.stdin.on('error', cleanUp);
process.on('SIGINT', () => undefined);
process.on('SIGTERM', () => undefined);
process.on('SIGHUP', () => undefined);
`;

let watchdog: ChildProcess | undefined;

/** Start the watchdog for `ownerPid` (once per process); it never keeps this process alive. */
export function startWatchdog(ownerPid: number, roots: readonly string[]): void {
  if (watchdog !== undefined) return;
  watchdog = spawn(process.execPath, ['-e', WATCHDOG_SCRIPT, String(ownerPid), ...roots], { stdio: ['pipe', 'ignore', 'ignore'], detached: true, cwd: '/' });
  watchdog.on('error', () => undefined); // without a watchdog, setpriv and the next start's sweep remain
  watchdog.stdin?.on('error', () => undefined);
  watchdog.unref();
  (watchdog.stdin as unknown as { unref?: () => void } | null)?.unref?.();
}

/** The watchdog's pid (tests check that it ends with its owner). */
export function watchdogPid(): number | undefined {
  return watchdog?.pid;
}

export function watchPid(pid: number): void {
  watchdog?.stdin?.write(`+${pid}\n`);
}

export function forgetPid(pid: number): void {
  watchdog?.stdin?.write(`-${pid}\n`);
}
