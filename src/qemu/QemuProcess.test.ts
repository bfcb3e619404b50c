import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { liveResources } from './ChildRegistry.js';
import { QemuProcess } from './QemuProcess.js';
import { QEMU_SUITE_NOTE, RUN_QEMU_TESTS } from './qemuTestSupport.js';

/** Running, as opposed to gone or a zombie (a killed orphan may wait for a reaper that never comes in a container). */
function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

describe.runIf(RUN_QEMU_TESTS)(`QemuProcess${QEMU_SUITE_NOTE}`, () => {
  it('stops with quit and removes its temp directory', async () => {
    const qemu = await QemuProcess.start({ label: 'p', binary: 'qemu-system-x86_64' });
    expect(existsSync(qemu.path('qmp.sock'))).toBe(true);
    expect(await qemu.stop()).toBe('quit');
    expect(existsSync(qemu.dir)).toBe(false);
    expect(alive(qemu.pid!)).toBe(false);
    expect(await qemu.stop()).toBe('already-exited');
    expect(liveResources()).toEqual({ children: 0, directories: 0 });
  });

  it('says how a QEMU that died on its own ended, and nothing while it runs', async () => {
    const qemu = await QemuProcess.start({ label: 'victim', binary: 'qemu-system-x86_64' });
    expect(await qemu.deathNote(50)).toBeUndefined();
    process.kill(qemu.pid!, 'SIGSEGV');
    expect(await qemu.deathNote(5000)).toBe('victim QEMU exited (killed by SIGSEGV)');
    expect(qemu.crashed).toBe(true);
    await qemu.stop();
  });

  it('kills a hung QEMU that does not quit in time', async () => {
    const qemu = await QemuProcess.start({ label: 'p', binary: 'qemu-system-x86_64' });
    process.kill(qemu.pid!, 'SIGSTOP');
    expect(await qemu.stop(150)).toBe('killed');
    expect((await qemu.waitExit()).signal).toBe('SIGKILL');
    expect(existsSync(qemu.dir)).toBe(false);
  });

  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    it(`leaves no QEMU and no temp directory when the Node process gets ${signal}`, async () => {
      const fixture = fileURLToPath(new URL('./fixtures/holdQemu.ts', import.meta.url));
      const child = spawn(process.execPath, ['--import', 'tsx', fixture], { stdio: ['ignore', 'pipe', 'inherit'] });
      const line = await new Promise<string>((resolve) => child.stdout.once('data', (d: Buffer) => resolve(d.toString('utf8'))));
      const held = JSON.parse(line) as { pid: number; dir: string };
      expect(alive(held.pid)).toBe(true);
      expect(existsSync(held.dir)).toBe(true);
      const exited = new Promise<NodeJS.Signals | null>((resolve) => child.once('exit', (_code, sig) => resolve(sig)));
      child.kill(signal);
      expect(await exited).toBe(signal);
      await new Promise((resolve) => setTimeout(resolve, 50)); // the kernel reaps the killed QEMU
      expect(alive(held.pid)).toBe(false);
      expect(existsSync(held.dir)).toBe(false);
    });
  }
});
