import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { scenariosIn } from './scenarioFolder.js';

const file = (name: string) => `${JSON.stringify({ colosim: 1, name, disk: { size: 1048576 }, steps: [{ do: 'start', side: 'both' }] })}\n`;

describe('scenariosIn', () => {
  let dir = '';
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('parses the *.json files directly in the folder, in name order, skipping other files and subfolders', () => {
    dir = mkdtempSync(join(tmpdir(), 'colosim-folder-'));
    writeFileSync(join(dir, 'b.json'), file('second'));
    writeFileSync(join(dir, 'a.json'), file('first'));
    writeFileSync(join(dir, 'notes.txt'), 'not a scenario');
    mkdirSync(join(dir, 'sub'));
    writeFileSync(join(dir, 'sub', 'c.json'), file('nested'));
    expect(scenariosIn(dir).map((s) => [s.name, s.steps.length])).toEqual([
      ['first', 1],
      ['second', 1],
    ]);
  });

  it('a file that is not JSON throws naming the file; a bad field throws naming the field', () => {
    dir = mkdtempSync(join(tmpdir(), 'colosim-folder-'));
    writeFileSync(join(dir, 'bad.json'), '{"colosim": 1,\n');
    expect(() => scenariosIn(dir)).toThrow(/^bad\.json: /);
    writeFileSync(join(dir, 'bad.json'), '{"colosim": 1}\n');
    expect(() => scenariosIn(dir)).toThrow(/^scenario\.name: must be a non-empty string/);
  });
});
