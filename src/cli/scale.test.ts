/*
 * The campaign at scale as a user runs it (child processes): three shards merged give the
 * unsharded run's summary hash, coverage.json and run.json counts, and its lowest-index
 * counterexample byte for byte; merge refuses folders that are not every shard of one campaign;
 * --time, --case and --corpus; bad values are one line and exit 2.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { caseSeed } from '../fuzz/caseScenario.js';

const BIN = fileURLToPath(new URL('./colosim.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'colosim-scale-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function colosim(...args: string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', timeout: 240_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

const read = (path: string) => readFileSync(path, 'utf8');
/** run.json without the wall time and the folder-dependent paths. */
// Wall time and the growth samples (a wall-clock timeline per run, none for a merged one) are not counts.
const counts = (path: string) => read(path).replace(/"wallMs": [\d.e+-]+/, '"wallMs": 0').replace(/"growth": \[[^\]]*\]/, '"growth": []').replaceAll(dir, 'DIR').replace(/DIR\/[a-z0-9-]+\//g, 'DIR/x/');

/** Shards 1/3 to 3/3 of a campaign, each in its folder; returns the folders. */
function shards(name: string, ...campaign: string[]): string[] {
  return [1, 2, 3].map((k) => {
    const out = join(dir, `${name}-${k}`);
    const r = colosim('fuzz', ...campaign, '--shard', `${k}/3`, '--workers', '1', '--out', out, '--json');
    expect(r.code === 0 || r.code === 1, r.err).toBe(true);
    return out;
  });
}

describe('colosim fuzz --shard and colosim merge', () => {
  it('three clean shards merge into the unsharded run: same summary hash, coverage.json bytes and counts', { timeout: 600_000 }, () => {
    const whole = colosim('fuzz', '--seed', '5', '--runs', '200', '--workers', '2', '--out', join(dir, 'whole'), '--json');
    expect(whole.code).toBe(0);
    const folders = shards('clean', '--seed', '5', '--runs', '200');
    const cases = folders.map((f) => (JSON.parse(read(join(f, 'run.json'))) as { cases: number }).cases);
    // Shard k runs the indices i < 200 with i mod 3 = k - 1.
    expect(cases).toEqual([67, 67, 66]);
    const merged = colosim('merge', ...folders, '--out', join(dir, 'merged'), '--json');
    expect(merged.code).toBe(0);
    const hash = (JSON.parse(whole.out) as { summaryHash: string }).summaryHash;
    expect((JSON.parse(merged.out) as { summaryHash: string }).summaryHash).toBe(hash);
    expect(read(join(dir, 'merged', 'coverage.json'))).toBe(read(join(dir, 'whole', 'coverage.json')));
    expect(counts(join(dir, 'merged', 'run.json'))).toBe(counts(join(dir, 'whole', 'run.json')));
    const printed = colosim('merge', ...folders, '--out', join(dir, 'merged-text'));
    expect(printed.code).toBe(0);
    expect(printed.out).toContain(`  cases        200\n`);
    expect(printed.out).toContain(`no violation\nsummary hash ${hash}\n`);
  });

  it('v24 shards merge to the lowest-index counterexample, the same bytes as the unsharded run\'s', { timeout: 600_000 }, () => {
    const whole = colosim('fuzz', '--seed', '3', '--runs', '50', '--profile', 'v24', '--workers', '2', '--out', join(dir, 'v24'), '--json');
    expect(whole.code).toBe(1);
    const found = (JSON.parse(whole.out) as { counterexample: { case: number; path: string } }).counterexample;
    const folders = shards('v24', '--seed', '3', '--runs', '50', '--profile', 'v24');
    const firstCases = folders.map((f) => (JSON.parse(read(join(f, 'run.json'))) as { counterexample: { case: number } }).counterexample.case);
    expect(Math.min(...firstCases)).toBe(found.case);
    const merged = colosim('merge', ...folders, '--out', join(dir, 'v24-merged'), '--json');
    expect(merged.code).toBe(1);
    const kept = (JSON.parse(merged.out) as { counterexample: { case: number; path: string } }).counterexample;
    expect(kept.case).toBe(found.case);
    expect(kept.path).toBe(join(dir, 'v24-merged', `counterexample-ignore-after-promotion-seed-3-case-${found.case}.json`));
    expect(read(kept.path)).toBe(read(found.path));
  });

  it('merge refuses missing, overlapping and foreign shards in one line, exit 2', { timeout: 600_000 }, () => {
    const folders = [1, 2, 3].map((k) => join(dir, `clean-${k}`));
    const other = join(dir, 'other-1');
    expect(colosim('fuzz', '--seed', '6', '--runs', '3', '--shard', '1/3', '--workers', '1', '--out', other).code).toBe(0);
    const refusals: [string[], string][] = [
      [[folders[0]!, folders[1]!], 'colosim: merge: shard 3/3 missing (every shard of the campaign is needed)\n'],
      [[folders[0]!, folders[1]!, folders[1]!], `colosim: merge: ${folders[1]} and ${folders[1]} are both shard 2/3\n`],
      [[folders[0]!, other], `colosim: merge: ${folders[0]} and ${other} are not shards of one campaign (seed 5 and 6)\n`],
      [[join(dir, 'nothing')], `colosim: merge: cannot read ${join(dir, 'nothing', 'run.json')}: ENOENT (no such file or directory)\n`],
    ];
    for (const [given, message] of refusals) {
      const r = colosim('merge', ...given, '--out', join(dir, 'refused'));
      expect([r.code, r.err]).toEqual([2, message]);
    }
  });
});

describe('colosim fuzz --time, --case and --corpus', () => {
  it('--time ends the campaign in its budget; --runs with the count printed reruns the same cases', { timeout: 600_000 }, () => {
    const r = colosim('fuzz', '--seed', '2', '--time', '2s', '--workers', '2', '--out', join(dir, 'timed'), '--json');
    expect(r.code).toBe(0);
    const timed = JSON.parse(r.out) as { cases: number; timeUp: boolean; timeBudgetMs: number; summaryHash: string };
    expect([timed.timeUp, timed.timeBudgetMs]).toEqual([true, 2000]);
    expect(timed.cases).toBeGreaterThan(0);
    const text = colosim('fuzz', '--seed', '2', '--runs', String(timed.cases), '--workers', '1', '--out', join(dir, 'untimed'));
    expect(text.code).toBe(0);
    expect(text.out).toContain(`summary hash ${timed.summaryHash}\n`);
  });

  it('--case N reruns case N alone and writes it as a scenario that replays', { timeout: 600_000 }, () => {
    const out = join(dir, 'one');
    const r = colosim('fuzz', '--seed', '3', '--profile', 'v24', '--case', '1', '--out', out);
    expect(r.code).toBe(1);
    expect(r.out.split('\n')[0]).toBe(`colosim fuzz: seed 3, case 1 (case seed ${caseSeed(3, 1)})`);
    expect(r.out).toContain(`violated; the case as a scenario: ${join(out, 'case-1.json')} (replay: npx colosim replay ${join(out, 'case-1.json')})\n`);
    expect((JSON.parse(read(join(out, 'case-1.json'))) as { name: string }).name).toBe('fuzz/v24/seed-3/case-1');
    const replay = colosim('replay', join(out, 'case-1.json'));
    expect(replay.code).toBe(1);
    expect(replay.out).toContain('still failing\n');
  });

  it('--corpus replays counterexamples first: a still-failing one is a violation and no new case runs', { timeout: 600_000 }, () => {
    const corpus = join(dir, 'corpus');
    mkdirSync(join(corpus, 'old'), { recursive: true });
    const [file] = readdirSync(join(dir, 'v24')).filter((f) => f.startsWith('counterexample-'));
    copyFileSync(join(dir, 'v24', file!), join(corpus, 'old', file!));
    // A report's own files sit in the corpus too: they are not scenarios and are passed over.
    copyFileSync(join(dir, 'v24', 'run.json'), join(corpus, 'run.json'));
    const failing = colosim('fuzz', '--seed', '4', '--runs', '20', '--corpus', corpus, '--out', join(dir, 'with-corpus'));
    expect(failing.code).toBe(1);
    expect(failing.out).toContain(`corpus ${join(corpus, 'old', file!)}: still failing (ignore-after-promotion)\nno new cases run: a corpus counterexample still fails`);
    expect(failing.out).toContain('  cases        0\n');
    // The same scenario on QEMU 7.2's code holds: it is fixed, and the campaign goes on.
    const scenario = JSON.parse(read(join(corpus, 'old', file!))) as { profile: string };
    writeFileSync(join(corpus, 'old', file!), JSON.stringify({ ...scenario, profile: 'qemu-7.2' }));
    const fixed = colosim('fuzz', '--seed', '4', '--runs', '20', '--corpus', corpus, '--out', join(dir, 'fixed-corpus'));
    expect(fixed.code).toBe(0);
    expect(fixed.out).toContain(`corpus ${join(corpus, 'old', file!)}: fixed\n`);
    expect(fixed.out).toContain('  cases        20\n');
  });

  it('bad values are one line and exit 2', { timeout: 600_000 }, () => {
    const bad: [string[], string][] = [
      [['--shard', '0/3'], 'fuzz: --shard must be k/n with 1 <= k <= n, got "0/3"'],
      [['--shard', '4/3'], 'fuzz: --shard must be k/n with 1 <= k <= n, got "4/3"'],
      [['--shard', '1/x'], 'fuzz: --shard must be k/n with 1 <= k <= n, got "1/x"'],
      [['--time', '90'], 'fuzz: --time must be a whole number of s, m or h (90s, 10m, 2h), got "90"'],
      [['--time', '1.5h'], 'fuzz: --time must be a whole number of s, m or h (90s, 10m, 2h), got "1.5h"'],
      [['--keep-going', '0'], 'fuzz: --keep-going must be an integer from 1 to 10000, got "0"'],
      [['--workers', '0'], 'fuzz: --workers must be an integer from 1 to 256, got "0"'],
      [['--case', '-1'], 'fuzz: --case must be an integer from 0 to 99999999, got "-1"'],
      [['--case', '3', '--seed', '1', '--time', '1m'], 'fuzz: --case reruns one case; it takes no --time'],
      [['--case', '3'], 'fuzz: --case 3 is a case of a campaign: give its --seed'],
      [['--on-worker-death', 'maybe'], 'fuzz: --on-worker-death must be one of stop, continue, got "maybe"'],
      [['--corpus', join(dir, 'no-corpus')], `fuzz: --corpus ${join(dir, 'no-corpus')}: ENOENT (no such file or directory)`],
      [['--backend', 'qemu', '--shard', '1/2'], 'fuzz: --backend qemu takes none of --shard (they shape engine campaigns only)'],
    ];
    for (const [args, says] of bad) {
      const r = colosim('fuzz', ...args, '--out', join(dir, 'bad'));
      expect([r.code, r.err.split('\n').length, r.err.startsWith(`colosim: ${says}`)], `${args.join(' ')}: ${r.err}`).toEqual([2, 2, true]);
    }
  });
});
