/*
 * `colosim hunt` and `colosim export-repro` without running QEMU: argument errors (exit 2, one line)
 * and the reproducer written from the library's failover-shape scenario.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const BIN = fileURLToPath(new URL('./colosim.js', import.meta.url));
const LOST_WRITE = fileURLToPath(new URL('../../properties/scenarios/qemu-bugs/lost-write-at-failover-commit-start.json', import.meta.url));
const DOUBLE_START = fileURLToPath(new URL('../../properties/scenarios/gaps/double-start.json', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'colosim-hunt-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function colosim(args: readonly string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

describe('colosim hunt arguments', () => {
  it.each([
    [['--qcow2-options', 'l2-cache-size'], 'colosim: hunt: --qcow2-options: qcow2 option "l2-cache-size" is not NAME=VALUE\n'],
    [['--clusters', '9000'], 'colosim: hunt: --clusters 9000 do not fit a 1024 MiB disk (every other 64 KiB cluster is written)\n'],
    [['--trials', '0'], 'colosim: hunt: --trials must be an integer from 1 to 100000, got "0"\n'],
  ])('%j is exit 2', (args, message) => {
    const r = colosim(['hunt', ...args]);
    expect(r.code).toBe(2);
    expect(r.err).toBe(message);
    expect(r.out).toBe('');
  });
});

describe('colosim export-repro', () => {
  it('writes an executable bash script with the scenario\'s writes, options and checks', () => {
    const out = join(dir, 'repro.sh');
    const r = colosim(['export-repro', LOST_WRITE, '--out', out, '--trials', '7']);
    expect(r.code).toBe(0);
    expect(statSync(out).mode & 0o111).toBe(0o111);
    const script = readFileSync(out, 'utf8');
    expect(script.startsWith('#!/usr/bin/env bash\n# lost-write-at-failover-commit-start: ')).toBe(true);
    expect(script).toContain('TRIALS="${1:-7}"\nSIZE=1073741824\n');
    expect(script).toContain(`QCOW2_OPTS=', "l2-cache-entry-size": 4096, "l2-cache-size": 8192'`);
    expect(script).toContain('aio_write -q -P 0xa5 0 4096\naio_write -q -P 0xa5 131072 4096\n');
    expect(script).toContain('aio_write -q -P 0xa5 65404928 4096\naio_flush\n');
    expect(script).toContain('65536 4096 0x1\n67174400 4096 0x2\n');
    // Read back through the running secondary, lost offsets parsed from qemu-io's output (never its exit status under pipefail).
    expect(script).toContain('"$IO" -f raw -r "nbd+unix:///secondary-disk?socket=$d/s.nbd" "${reads[@]}" >"$d/read.out" 2>&1 || true\n');
    expect(script).toContain("sed -n 's/^Pattern verification failed at offset \\([0-9]*\\),.*/\\1/p' \"$d/read.out\"");
    expect(script).not.toContain('| grep -q \'Pattern verification failed\'');
    expect(spawnSync('bash', ['-n', out]).status).toBe(0);
  });

  it('refuses a scenario of another shape (exit 2)', () => {
    const r = colosim(['export-repro', DOUBLE_START]);
    expect(r.code).toBe(2);
    expect(r.err).toBe(`colosim: export-repro: ${DOUBLE_START}: the reproducer takes a disk of pattern 0 (sparse images)\n`);
  });
});
