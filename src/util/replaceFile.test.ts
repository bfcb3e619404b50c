/*
 * replaceFile: the new text replaces the old in one rename; a failure leaves no temporary file and
 * names the file asked for.
 */
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { replaceFile } from './replaceFile.js';

let dir = '';
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('replaceFile', () => {
  it('replaces an existing file and leaves nothing else in the folder', () => {
    dir = mkdtempSync(join(tmpdir(), 'colosim-replace-'));
    writeFileSync(join(dir, 'run.json'), 'old');
    replaceFile(join(dir, 'run.json'), 'new\n');
    expect(readFileSync(join(dir, 'run.json'), 'utf8')).toBe('new\n');
    expect(readdirSync(dir)).toEqual(['run.json']);
  });

  it('a rename onto a folder fails with the system error naming the target, and the temporary file is gone', () => {
    dir = mkdtempSync(join(tmpdir(), 'colosim-replace-'));
    const target = join(dir, 'report.html');
    mkdirSync(join(target, 'inside'), { recursive: true });
    let thrown: NodeJS.ErrnoException | undefined;
    try {
      replaceFile(target, 'x');
    } catch (error) {
      thrown = error as NodeJS.ErrnoException;
    }
    expect([thrown?.code, thrown?.syscall, thrown?.path]).toEqual(['EISDIR', 'rename', target]);
    expect(readdirSync(dir)).toEqual(['report.html']);
  });

  it('a folder that does not exist fails on the write with ENOENT naming the target', () => {
    dir = mkdtempSync(join(tmpdir(), 'colosim-replace-'));
    const target = join(dir, 'absent', 'run.json');
    expect(() => replaceFile(target, 'x')).toThrow(expect.objectContaining({ code: 'ENOENT', syscall: 'open', path: target }));
  });
});
