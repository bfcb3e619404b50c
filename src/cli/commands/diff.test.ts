import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { DifferentialCheckResult } from '../../check/differential.js';
import { generatedText } from './diff.js';

const scenario = { colosim: 1, name: 'differential', disk: { size: 262144, pattern: 0 }, steps: [{ do: 'start', side: 'both' }, { do: 'flush', vm: 'primary' }] };

describe('diff --generate: the text of a campaign that kept going', () => {
  it('counts every scenario, then each distinct difference: shrunk ones with their file and fields, the others with their first scenario', () => {
    const result: DifferentialCheckResult = {
      seed: 3,
      scenarios: 1000,
      runs: 1041,
      compared: 7300,
      skipped: 12,
      generatedCompared: 7000,
      generatedSkipped: 10,
      differing: 9,
      explained: { 'blkdebug-align-padding': 2 },
      distinct: [
        { signature: 'flush primary: ok true/false', firstScenario: 17, scenarios: 7, shrunk: true, scenario, differences: [{ step: '1', field: 'ok', engine: true, qemu: false }], file: 'out/differential-seed-3.json', counterexamplePath: '17:0' },
        { signature: 'discard secondary: errno -/ENOSPC', firstScenario: 400, scenarios: 2, shrunk: false, scenario, differences: [{ step: '1', field: 'errno', engine: undefined, qemu: 'ENOSPC' }] },
      ],
    };
    expect(generatedText(result)).toBe(
      [
        '1000 scenario(s) generated, 1041 run(s) with shrinking, 7300 step(s) compared (0 against the set every order admits), 12 skipped (7000 in the generated ones, 10 skipped); documented divergences seen: blkdebug-align-padding x2',
        'difference found in 9 scenario(s), 2 distinct:',
        'flush primary: ok true/false: 7 scenario(s), shrunk to out/differential-seed-3.json (replay: npx colosim diff out/differential-seed-3.json)',
        '  step 1 ok: engine true, qemu false',
        'discard secondary: errno -/ENOSPC: 2 scenario(s), not shrunk (first: generated scenario 400; --keep-going 2 shrinks it)',
        '',
      ].join('\n'),
    );
  });

  it('says nothing of differences when there were none, nor of generated steps when nothing was shrunk', () => {
    const result: DifferentialCheckResult = { seed: 3, scenarios: 5, runs: 5, compared: 30, skipped: 0, generatedCompared: 30, generatedSkipped: 0, differing: 0, distinct: [], explained: {} };
    expect(generatedText(result)).toBe('5 scenario(s) generated, 5 run(s) with shrinking, 30 step(s) compared (0 against the set every order admits), 0 skipped\n');
  });
});

describe('diff --keep-going: bad uses', () => {
  const BIN = fileURLToPath(new URL('../colosim.js', import.meta.url));
  const run = (...args: string[]) => spawnSync(process.execPath, [BIN, 'diff', ...args], { encoding: 'utf8', timeout: 120_000 });

  it('is refused without --generate, and below 1, on one line with exit 2', { timeout: 120_000 }, () => {
    const files = run('properties/scenarios', '--keep-going', '3');
    expect([files.status, files.stderr, files.stdout]).toEqual([2, 'colosim: diff: --keep-going applies to --generate only\n', '']);
    const dir = mkdtempSync(join(tmpdir(), 'colosim-diff-keep-going-'));
    try {
      const out = join(dir, 'out');
      const zero = run('--generate', '5', '--seed', '1', '--keep-going', '0', '--out', out);
      expect([zero.status, zero.stderr]).toEqual([2, 'colosim: diff: --keep-going must be an integer from 1 to 10000, got "0"\n']);
      expect(existsSync(out)).toBe(false); // refused before the report folder is made or QEMU started
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
