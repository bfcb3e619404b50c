/*
 * Start a child that dies with colosim: through util-linux's `setpriv --pdeathsig SIGKILL` (Debian's
 * util-linux, an essential package, has it), so the kernel SIGKILLs the child when colosim dies, even
 * by SIGKILL; setpriv execs the binary, so the pid, exit code and signal are the binary's own. Every
 * child is also listed with the watchdog (Watchdog.ts), the fallback where setpriv is missing. A
 * binary that is not there is spawned directly, so the caller still sees ENOENT.
 */
import { type ChildProcess, type SpawnOptions, spawn } from 'node:child_process';
import { findOnPath } from './findOnPath.js';
import { beginSession } from './TempDirs.js';
import { forgetPid, watchPid } from './Watchdog.js';

let setprivPath: string | null | undefined;

/** setpriv's path, looked up once; null when it is not installed. */
function setpriv(): string | null {
  if (setprivPath === undefined) setprivPath = findOnPath('setpriv') ?? null;
  return setprivPath;
}

export function spawnBound(binary: string, args: readonly string[], options: SpawnOptions): ChildProcess {
  beginSession();
  const wrapper = setpriv();
  const child =
    wrapper !== null && findOnPath(binary) !== undefined
      ? spawn(wrapper, ['--pdeathsig', 'SIGKILL', '--', binary, ...args], options)
      : spawn(binary, args, options);
  const pid = child.pid;
  if (pid !== undefined) {
    watchPid(pid);
    child.once('exit', () => forgetPid(pid));
  }
  return child;
}
