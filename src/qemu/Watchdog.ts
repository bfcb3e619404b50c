/*
 * The watchdog: one small process per colosim process, in a process group of its own, reading a pipe
 * from colosim. colosim tells it the pid of every child it starts ("+pid"), of every child that
 * ended ("-pid"), and that it exits normally ("="). When the pipe closes, colosim is gone, however it ended (SIGKILL included): the
 * watchdog SIGKILLs the children still listed, and any process whose command line names one of
 * colosim's temp directories (colosim-qemu-<pid>-*: every QEMU and QEMU tool has one in its
 * arguments), then removes those directories in the roots it was given, twice, and exits. With
 * setpriv's parent-death signal (spawnBound.ts) the children are dead already; the list and the scan
 * are the fallback where setpriv is missing, or where colosim died between a fork and the child's prctl.
 */
import { type ChildProcess, spawn } from 'node:child_process';

/** Run by `node -e`; argv: owner pid, then the temp roots. Plain CommonJS, no imports of ours. */
const WATCHDOG_SCRIPT = `
const { readdirSync, readFileSync, rmSync } = require('node:fs');
const { join } = require('node:path');
const [owner, ...roots] = process.argv.slice(1);
const prefix = 'colosim-qemu-' + owner + '-';
const pids = new Set();
let pending = '';
function killAll() {
  for (const pid of pids) { try { process.kill(Number(pid), 'SIGKILL'); } catch {} }
  // Also any process whose command line names one of the owner's directories: a child forked in the
  // instant the owner died has neither its parent-death signal nor its pid listed here yet.
  let procs = [];
  try { procs = readdirSync('/proc').filter((e) => /^\\d+$/.test(e)); } catch {}
  for (const pid of procs) {
    let cmdline = '';
    try { cmdline = readFileSync('/proc/' + pid + '/cmdline', 'utf8'); } catch { continue; }
    if (cmdline.includes('/' + prefix)) { try { process.kill(Number(pid), 'SIGKILL'); } catch {} }
  }
}
function removeDirs() {
  for (const root of roots) {
    let entries = [];
    try { entries = readdirSync(root); } catch {}
    for (const entry of entries) {
      if (!entry.startsWith(prefix)) continue;
      try { rmSync(join(root, entry), { recursive: true, force: true, maxRetries: 5, retryDelay: 20 }); } catch {}
    }
  }
}
// Twice after a death: a child killed in the middle of creating a file may still add one after the
// first pass. Once after a normal exit ("="), where colosim has cleaned up already.
let exitedNormally = false;
function cleanUp() {
  killAll();
  removeDirs();
  if (exitedNormally) process.exit(0);
  setTimeout(() => {
    killAll();
    removeDirs();
    process.exit(0);
  }, 300);
}
process.stdin.setEncoding('utf8');
process.stdin.on('data', (chunk) => {
  pending += chunk;
  for (let nl = pending.indexOf('\\n'); nl >= 0; nl = pending.indexOf('\\n')) {
    const line = pending.slice(0, nl);
    pending = pending.slice(nl + 1);
    if (line[0] === '+') pids.add(line.slice(1));
    else if (line[0] === '-') pids.delete(line.slice(1));
    else if (line === '=') exitedNormally = true;
  }
});
let ending = false;
const end = () => { if (!ending) { ending = true; cleanUp(); } };
process.stdin.on('end', end);
process.stdin.on('error', end);
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
  // A normal exit (ChildRegistry cleans up in its own exit handler) lets the watchdog end at once.
  process.on('exit', () => watchdog?.stdin?.write('=\n'));
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
