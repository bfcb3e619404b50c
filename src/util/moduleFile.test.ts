import { describe, expect, it } from 'vitest';
import { siblingModule } from './moduleFile.js';

describe('siblingModule', () => {
  it('names the .js sibling of a compiled module', () => {
    expect(siblingModule('file:///repo/dist/src/fuzz/Campaign.js', 'caseWorker').href).toBe('file:///repo/dist/src/fuzz/caseWorker.js');
  });

  it('names the .ts sibling of a TypeScript source', () => {
    expect(siblingModule('file:///repo/src/fuzz/Campaign.ts', 'caseWorker').href).toBe('file:///repo/src/fuzz/caseWorker.ts');
  });

  it('resolves a name with a folder against the module\'s folder', () => {
    expect(siblingModule('file:///repo/src/fuzz/Campaign.ts', '../cli/worker').href).toBe('file:///repo/src/cli/worker.ts');
  });

  it('names this very file from its own URL (vitest runs the source)', () => {
    expect(siblingModule(import.meta.url, 'moduleFile.test').href).toBe(import.meta.url);
  });
});
