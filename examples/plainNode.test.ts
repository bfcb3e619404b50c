/*
 * The package as plain Node sees it, no TypeScript loader: `import('colosim')` through package.json's
 * exports (self-reference from the package folder) gives exactly the public API, with its types file,
 * and the compiled CLI starts.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PACKAGE_ROOT } from '../src/cli/compiledBuild.js';

const PUBLIC_API = [
  'CHAIN_VARIANTS', 'CaseViolation', 'DEFAULT_FUZZ_OPTIONS', 'FAULT_MODES', 'INVARIANTS', 'INVARIANT_NAMES', 'IO_TARGETS', 'PROFILES',
  'QemuAdapterError', 'QemuSession', 'SCENARIO_FORMAT_VERSION', 'STEP_KINDS', 'ScenarioError', 'VERSION', 'assertCase', 'buildScenario',
  'caseArbitrary', 'checkAgainstModels', 'checkCase', 'compareExpectations', 'faultsArbitrary', 'formatScenario', 'parseScenario',
  'parseScenarioText', 'runCampaign', 'runOnEngine', 'runOnQemu', 'stepArbitrary',
];

function node(...args: string[]) {
  const r = spawnSync(process.execPath, args, { cwd: PACKAGE_ROOT, encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

describe('colosim under plain Node', () => {
  it("import('colosim') resolves through exports to the compiled API", () => {
    const r = node('--input-type=module', '-e', "const m = await import('colosim'); console.log(JSON.stringify(Object.keys(m).sort()))");
    expect(r.err).toBe('');
    expect(JSON.parse(r.out)).toEqual(PUBLIC_API);
  });

  it('the exports point at files the build wrote, types included', () => {
    const pkg = JSON.parse(readFileSync(join(PACKAGE_ROOT, 'package.json'), 'utf8')) as { exports: { '.': { types: string; default: string } } };
    expect(existsSync(join(PACKAGE_ROOT, pkg.exports['.'].types))).toBe(true);
    expect(existsSync(join(PACKAGE_ROOT, pkg.exports['.'].default))).toBe(true);
  });

  it('the compiled CLI prints its version', () => {
    const r = node('dist/src/cli/main.js', '--version');
    expect(r).toEqual({ code: 0, out: 'colosim 0.1.0\n', err: '' });
  });
});
