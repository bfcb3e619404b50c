/*
 * The `colosim` bin's shebang carries V8 flags (src/cli/colosim.js says why). Node refuses an
 * option it does not know ("node: bad option: ..." and exit 9), so a flag a Node release dropped
 * would break every `npx colosim` at once; these tests run the bin through its own shebang, as a
 * user's shell does, and each flag alone under the Node running the tests.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const BIN = fileURLToPath(new URL('./colosim.js', import.meta.url));
const PACKAGE = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string; scripts: Record<string, string> };

function shebangFlags(): string[] {
  const first = readFileSync(BIN, 'utf8').split('\n', 1)[0]!;
  const words = first.split(' ');
  expect(words.slice(0, 3)).toEqual(['#!/usr/bin/env', '-S', 'node']);
  return words.slice(3);
}

describe('the colosim bin', () => {
  it('names the two V8 flags it starts Node with, and npm run bench passes the same', () => {
    expect(shebangFlags()).toEqual(['--max-semi-space-size=64', '--max-inlined-bytecode-size-cumulative=300']);
    expect(PACKAGE.scripts.bench).toBe(`tsx ${shebangFlags().join(' ')} src/bench/main.ts`);
  });

  it('starts through its shebang and prints its version', () => {
    const r = spawnSync(BIN, ['--version'], { encoding: 'utf8', timeout: 60_000 });
    expect({ status: r.status, stdout: r.stdout, stderr: r.stderr }).toEqual({ status: 0, stdout: `colosim ${PACKAGE.version}\n`, stderr: '' });
  });

  it('has each flag accepted by this Node', () => {
    for (const flag of shebangFlags()) {
      const r = spawnSync(process.execPath, [flag, '-e', 'process.stdout.write("up")'], { encoding: 'utf8', timeout: 30_000 });
      expect({ flag, status: r.status, stdout: r.stdout, stderr: r.stderr }).toEqual({ flag, status: 0, stdout: 'up', stderr: '' });
    }
  });

  it('would be refused by Node for a flag it does not know, as the test above relies on', () => {
    const r = spawnSync(process.execPath, ['--max-inlined-bytecode-size-cumulativ=300', '-e', '1'], { encoding: 'utf8', timeout: 30_000 });
    expect({ status: r.status, stderr: r.stderr.trim() }).toEqual({ status: 9, stderr: `${process.execPath}: bad option: --max-inlined-bytecode-size-cumulativ=300` });
  });
});
