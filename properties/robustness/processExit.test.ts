/*
 * The cases the in-process corpus cannot cover, as real processes: a command still pending when
 * Node's event loop runs dry, an unexpected error, and a campaign stopped by SIGTERM or SIGKILL
 * (run.json snapshots, exit 130, the seed and rerun command printed before the first case).
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { PENDING_AT_EXIT } from '../../src/cli/runAsProcess.js';

const BIN = fileURLToPath(new URL('../../src/cli/colosim.js', import.meta.url));
const ENDINGS = fileURLToPath(new URL('./fixtures/endings.ts', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'colosim-exit-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function ending(mode: string) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', ENDINGS, mode], { encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, err: r.stderr };
}

describe('every command ends with an explicit exit code', () => {
  it('a command pending when the event loop empties exits 70 with one line, not 0', { timeout: 60_000 }, () => {
    expect(ending('pending')).toEqual({ code: 70, err: `${PENDING_AT_EXIT}\n` });
    expect(PENDING_AT_EXIT).toBe('colosim: internal error: the command ended without finishing (pending at exit)');
  });

  it('an unexpected error exits 70 with one line and no stack trace', { timeout: 60_000 }, () => {
    expect(ending('throws')).toEqual({
      code: 70,
      err: 'colosim: internal error: RangeError: Array buffer allocation failed (a bug in colosim; COLOSIM_DEBUG=1 shows the stack)\n',
    });
  });
});

/** Poll until `path` holds a snapshot written during the campaign. */
async function snapshotOf(path: string, child: ChildProcess): Promise<{ inProgress?: boolean; cases: number }> {
  for (let waited = 0; waited < 90_000; waited += 250) {
    if (child.exitCode !== null) throw new Error(`colosim exited ${child.exitCode} before its first snapshot`);
    if (existsSync(path)) return JSON.parse(readFileSync(path, 'utf8')) as { inProgress?: boolean; cases: number };
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`no snapshot at ${path} after 90 s`);
}

function campaign(out: string): { child: ChildProcess; stdout: () => string; stderr: () => string; exit: Promise<[number | null, string | null]> } {
  const child = spawn(process.execPath, [BIN, 'fuzz', '--seed', '8', '--runs', '1000000', '--out', out], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const exit = new Promise<[number | null, string | null]>((resolve) => child.on('exit', (code, signal) => resolve([code, signal])));
  return { child, stdout: () => stdout, stderr: () => stderr, exit };
}

describe('an interrupted campaign', () => {
  it('SIGTERM stops after the current case, writes everything and exits 130', { timeout: 120_000 }, async () => {
    const out = join(dir, 'term');
    const run = campaign(out);
    const snapshot = await snapshotOf(join(out, 'run.json'), run.child);
    expect(snapshot.inProgress).toBe(true);
    expect(snapshot.cases).toBeGreaterThan(0);
    run.child.kill('SIGTERM');
    expect(await run.exit).toEqual([130, null]);
    expect(run.stderr().split('\n')[0]).toBe('colosim fuzz: seed 8 (rerun: npx colosim fuzz --seed 8 --runs 1000000; one case: add --case N)');
    expect(run.stderr()).toContain('colosim: SIGTERM: stopping after the current case (send it again to quit now)\n');
    const summary = JSON.parse(readFileSync(join(out, 'run.json'), 'utf8')) as { interrupted: boolean; cases: number; inProgress?: boolean };
    expect(summary.interrupted).toBe(true);
    expect(summary.inProgress).toBeUndefined();
    expect(summary.cases).toBeGreaterThanOrEqual(snapshot.cases);
    expect(run.stdout()).toContain(`  cases        ${summary.cases} of 1000000 (interrupted)\n`);
    expect(run.stdout()).toContain(`interrupted by SIGTERM after ${summary.cases} of 1000000 cases (exit 130)\n`);
    expect(readdirSync(out).sort()).toEqual(['coverage.json', 'report.html', 'run.json']);
  });

  it('SIGKILL leaves the last snapshot of run.json, whole', { timeout: 120_000 }, async () => {
    const out = join(dir, 'kill');
    const run = campaign(out);
    const first = await snapshotOf(join(out, 'run.json'), run.child);
    run.child.kill('SIGKILL');
    expect(await run.exit).toEqual([null, 'SIGKILL']);
    const left = JSON.parse(readFileSync(join(out, 'run.json'), 'utf8')) as { inProgress?: boolean; cases: number; seed: number };
    expect(left.inProgress).toBe(true);
    expect(left.seed).toBe(8);
    expect(left.cases).toBeGreaterThanOrEqual(first.cases);
  });
});
