import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CliError } from './ExitCode.js';
import { prepareOutputDir } from './outputFiles.js';

describe('prepareOutputDir', () => {
  let root = '';
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('creates every missing level, leaves no probe, and its undo removes exactly the levels it made', () => {
    root = mkdtempSync(join(tmpdir(), 'colosim-out-'));
    mkdirSync(join(root, 'kept'));
    const undo = prepareOutputDir('fuzz: ', '--out', join(root, 'kept', 'a', 'b'));
    expect(readdirSync(join(root, 'kept', 'a', 'b'))).toEqual([]);
    undo();
    expect(readdirSync(root)).toEqual(['kept']);
    expect(readdirSync(join(root, 'kept'))).toEqual([]);
  });

  it('undo keeps a folder that now holds a file, and the levels above it', () => {
    root = mkdtempSync(join(tmpdir(), 'colosim-out-'));
    const undo = prepareOutputDir('fuzz: ', '--out', join(root, 'a', 'b'));
    writeFileSync(join(root, 'a', 'b', 'run.json'), '{}\n');
    undo();
    expect(readdirSync(join(root, 'a', 'b'))).toEqual(['run.json']);
  });

  it('undo of a folder that already existed removes nothing', () => {
    root = mkdtempSync(join(tmpdir(), 'colosim-out-'));
    const undo = prepareOutputDir('fuzz: ', '--out', root);
    undo();
    expect(existsSync(root)).toBe(true);
  });

  it('a file in the way is a usage error naming it', () => {
    root = mkdtempSync(join(tmpdir(), 'colosim-out-'));
    writeFileSync(join(root, 'f'), 'x');
    expect(() => prepareOutputDir('fuzz: ', '--out', join(root, 'f', 'g'))).toThrow(new CliError(`fuzz: --out ${join(root, 'f', 'g')}: ${join(root, 'f')} is not a directory`, 2));
  });
});
