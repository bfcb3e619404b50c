/*
 * The diff reports, from hand-made results (the fuzz and run reports are tested through the CLI in
 * conventions.test.ts): where each failure points and what reruns it.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { DifferentialCheckResult } from '../check/differential.js';
import { githubAnnotations, junitXml } from './ciReport.js';
import { diffFilesReport, diffGeneratedReport } from './ciReports.js';

const dir = mkdtempSync(join(tmpdir(), 'colosim-cireports-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const FILE = join(dir, 's.json');
writeFileSync(FILE, '{"colosim": 1, "name": "s", "steps": [\n {"do": "start", "side": "both"},\n {"do": "concurrent", "steps": [\n  {"do": "status", "side": "primary"},\n  {"do": "status", "side": "secondary"}\n ]}\n]}\n');

describe('diff reports', () => {
  it('a scenario file: one annotation per difference and model violation, on the step line', () => {
    const report = diffFilesReport(dir, [
      {
        file: FILE,
        scenario: 's',
        differences: [{ step: '1.1', field: 'desc', engine: 'a', qemu: 'b' }],
        model: { violations: [{ invariant: 'conformance', kind: 'safety', step: 0, message: 'm' }] },
      },
    ]);
    expect(githubAnnotations(report)).toBe(
      [
        `::error file=${FILE},line=5,title=colosim diff ${dir}%3A ${FILE}::step 1.1 desc: engine "a", qemu "b"%0Arerun: npx colosim diff ${FILE}`,
        `::error file=${FILE},line=2,title=colosim diff ${dir}%3A ${FILE}::model: conformance (safety) at step 0: m%0Arerun: npx colosim diff ${FILE}`,
        '',
      ].join('\n'),
    );
  });

  it('a generated campaign without a difference is one passing test case', () => {
    const result: DifferentialCheckResult = { seed: 4, scenarios: 3, runs: 3, compared: 20, skipped: 0, explained: {} };
    expect(junitXml(diffGeneratedReport(result, 'colosim diff --generate 3 --seed 4'))).toBe(
      [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<testsuites name="colosim" tests="1" failures="0" errors="0" time="0.000">',
        '  <testsuite name="colosim diff --generate seed 4" tests="1" failures="0" errors="0" skipped="0" time="0.000">',
        '    <testcase classname="colosim.diff" name="3 generated scenario(s)"/>',
        '  </testsuite>',
        '</testsuites>',
        '',
      ].join('\n'),
    );
  });

  it('a QEMU failure without a scenario file reruns the campaign', () => {
    const result: DifferentialCheckResult = {
      seed: 4,
      scenarios: 1,
      runs: 0,
      compared: 0,
      skipped: 0,
      explained: {},
      qemuFailure: { code: 'QEMU_HUNG', message: 'qemu primary hung', scenario: { colosim: 1, name: 'x', steps: [] } as never },
    };
    expect(githubAnnotations(diffGeneratedReport(result, 'colosim diff --generate 3 --seed 4'))).toBe(
      '::error title=colosim diff --generate seed 4%3A 1 generated scenario(s)::no verdict: qemu primary hung%0Arerun: npx colosim diff --generate 3 --seed 4\n',
    );
  });
});
