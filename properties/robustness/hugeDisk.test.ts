/*
 * Memory follows the data written, not the disk, in the checker and in replay too: a 1 TiB disk
 * with 1 MiB written runs under `colosim run --check` and `colosim replay` in a child process whose
 * peak RSS (process.resourceUsage().maxRSS, printed at exit by a preloaded hook) stays under 300 MB.
 * Before, the checker peeked whole disks into one buffer (a 4 GiB disk took 4.3 GB).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const BIN = fileURLToPath(new URL('../../src/cli/colosim.js', import.meta.url));
const TiB = 2 ** 40;
const HALF_MiB = 2 ** 19;
const RSS_LIMIT_BYTES = 300 * 1024 * 1024;
const REPORT_RSS = "data:text/javascript,process.on('exit',()=>process.stderr.write('maxrss-kib '+process.resourceUsage().maxRSS+'\\n'))";

const dir = mkdtempSync(join(tmpdir(), 'colosim-huge-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const file = join(dir, 'huge.json');
writeFileSync(
  file,
  JSON.stringify({
    colosim: 1,
    name: 'robustness/huge-disk',
    disk: { size: TiB, pattern: 0x11 },
    steps: [
      { do: 'start', side: 'both' },
      { do: 'write', vm: 'primary', offset: TiB / 2, length: HALF_MiB, pattern: 0x22 },
      { do: 'write', vm: 'secondary', offset: TiB - HALF_MiB, length: HALF_MiB, pattern: 0x33 },
      { do: 'checkpoint', side: 'both' },
      { do: 'read', vm: 'secondary', offset: TiB / 2, length: 4096 },
      { do: 'failover' },
      { do: 'read', vm: 'secondary', offset: TiB - HALF_MiB, length: 4096 },
    ],
  }),
);

function colosim(...args: string[]) {
  const r = spawnSync(process.execPath, ['--import', REPORT_RSS, BIN, ...args], { encoding: 'utf8', timeout: 120_000 });
  const rss = /maxrss-kib (\d+)/.exec(r.stderr);
  return { code: r.status, out: r.stdout, err: r.stderr, rssBytes: rss ? Number(rss[1]) * 1024 : Number.NaN };
}

describe('a 1 TiB disk with 1 MiB written', () => {
  it('run --check checks every disk-step with peak RSS under 300 MB', { timeout: 120_000 }, () => {
    const r = colosim('run', file, '--check');
    expect([r.code, r.err.replace(/maxrss-kib \d+\n/, '')]).toEqual([0, '']);
    // After the checkpoint the secondary reads the primary's data; after failover, its own write is gone with the checkpoint.
    expect(r.out).toContain('#4   read secondary 549755813888+4096             ok [0x22x4096]');
    expect(r.out).toContain('#6   read secondary 1099511103488+4096            ok [0x11x4096]');
    expect(r.out).toContain('check: 7 of 7 disk-steps checked (100.0 %)\ncheck: no violation\n');
    expect(r.rssBytes).toBeLessThan(RSS_LIMIT_BYTES);
  });

  it('replay holds with peak RSS under 300 MB', { timeout: 120_000 }, () => {
    const r = colosim('replay', file);
    expect([r.code, r.out.endsWith('holds now\n')]).toEqual([0, true]);
    expect(r.rssBytes).toBeLessThan(RSS_LIMIT_BYTES);
  });
});
