/*
 * The CLI's conventions, in-process (properties/robustness/inProcessCli.ts): --version, the one
 * JSON shape with "schema": 1 per command, the JUnit and GitHub reporters, plain text when stdout
 * is no terminal, and the seed echoed before the first case of a differential campaign (QEMU).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../../properties/robustness/inProcessCli.js';
import { RUN_QEMU_TESTS } from '../qemu/qemuTestSupport.js';

const dir = mkdtempSync(join(tmpdir(), 'colosim-conventions-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const DOUBLE_START = fileURLToPath(new URL('../../properties/scenarios/gaps/double-start.json', import.meta.url));
/** What the v24 profile's campaign of seed 1 finds at case 3 (shrunk to three steps). */
const V24_MESSAGE =
  'replication-secondary checkpoint in DONE: the chart answers ignored, the engine crash: the secondary side crashed: replication-secondary: secondary_do_checkpoint dereferenced a NULL secondary disk (stage DONE)';

function json(out: string): Record<string, unknown> {
  return JSON.parse(out) as Record<string, unknown>;
}

describe('colosim conventions', () => {
  it('--version prints the name and the version, exit 0', async () => {
    expect(await runCli(['--version'])).toEqual({ code: 0, out: 'colosim 0.1.0\n', err: '' });
  });

  it('fuzz --json: the envelope, then the campaign summary', async () => {
    const r = await runCli(['fuzz', '--seed', '1', '--runs', '3', '--out', join(dir, 'f'), '--json']);
    expect(r.code).toBe(0);
    const doc = json(r.out);
    expect(Object.keys(doc).slice(0, 5)).toEqual(['schema', 'command', 'verdict', 'exitCode', 'seed']);
    expect([doc.schema, doc.command, doc.verdict, doc.exitCode, doc.seed, doc.cases]).toEqual([1, 'fuzz', 'ok', 0, 1, 3]);
  });

  it('run --json: the envelope, the file, the result document and the unmet expectations', async () => {
    const file = join(dir, 'wrong.json');
    writeFileSync(file, JSON.stringify({ colosim: 1, name: 'w', steps: [{ do: 'status', side: 'secondary', expect: { replicationError: false } }] }));
    const r = await runCli(['run', file, '--json']);
    expect(r.code).toBe(1);
    const doc = json(r.out);
    expect([doc.schema, doc.command, doc.verdict, doc.exitCode, doc.file, doc.scenario, doc.backend]).toEqual([1, 'run', 'violation', 1, file, 'w', 'engine']);
    expect(doc.mismatches).toEqual([{ step: '0', field: 'replicationError', expected: false, actual: true }]);
    expect(r.err).toBe('step 0 replicationError: expected false, got true\n');
  });

  it('replay --json: the envelope, the file, the scenario, the trace hash and the violations', async () => {
    const out = join(dir, 'v24');
    await runCli(['fuzz', '--seed', '1', '--runs', '300', '--profile', 'v24', '--out', out]);
    const file = join(out, 'counterexample-ignore-after-promotion-seed-1-case-0.json');
    const r = await runCli(['replay', file, '--json']);
    expect(r.code).toBe(1);
    const doc = json(r.out);
    expect(Object.keys(doc)).toEqual(['schema', 'command', 'verdict', 'exitCode', 'file', 'scenario', 'traceHash', 'violations']);
    expect([doc.schema, doc.command, doc.verdict, doc.file, doc.scenario]).toEqual([1, 'replay', 'violation', file, 'counterexample/ignore-after-promotion']);
    expect((doc.violations as { invariant: string; step: number }[]).map((v) => [v.invariant, v.step])).toEqual([['ignore-after-promotion', 2]]);
  });

  it('fuzz --reporter github: one ::error on the counterexample step, with the replay command', async () => {
    const out = join(dir, 'gh');
    const r = await runCli(['fuzz', '--seed', '1', '--runs', '300', '--profile', 'v24', '--out', out, '--reporter', 'github']);
    expect(r.code).toBe(1);
    const file = join(out, 'counterexample-ignore-after-promotion-seed-1-case-0.json');
    // Step 2 of the shrunk file: {"do": "checkpoint", "side": "secondary"}, its "{" on this line.
    const line = readFileSync(file, 'utf8').split('\n').findIndex((l, i, all) => l === '  {' && all[i + 1] === '   "do": "checkpoint",') + 1;
    expect(line).toBeGreaterThan(1);
    const annotations = r.out.split('\n').filter((l) => l.startsWith('::'));
    expect(annotations).toEqual([
      `::error file=${file},line=${line},title=colosim fuzz seed 1%3A ignore-after-promotion::ignore-after-promotion at step 2: ${V24_MESSAGE}%0Arerun: npx colosim replay ${file}`,
    ]);
    expect(r.out).toContain('VIOLATION ignore-after-promotion at step 2');
  });

  it('fuzz --reporter junit --reporter-out: the XML file, a test case per invariant, the text still on stdout', async () => {
    const xmlFile = join(dir, 'fuzz.xml');
    const r = await runCli(['fuzz', '--seed', '1', '--runs', '2', '--faults', 'none', '--out', join(dir, 'j'), '--reporter', 'junit', '--reporter-out', xmlFile]);
    expect(r.code).toBe(0);
    expect(r.out).toContain('no violation\n');
    const xml = readFileSync(xmlFile, 'utf8');
    expect(xml.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="colosim" tests="17" failures="0" errors="0" time="')).toBe(true);
    // Two fault-free cases never fail a commit, never promote a node, never crash a process: those
    // three invariants were not checked, and say so instead of passing.
    expect(xml).toContain('<testsuite name="colosim fuzz seed 1" tests="17" failures="0" errors="0" skipped="3"');
    expect(xml.match(/<testcase classname="colosim.fuzz" name="[a-z-]+">/g)).toHaveLength(17);
    expect(xml.match(/<skipped message="[^"]*"\/>/g)).toEqual(
      ['failover-failed-routing', 'ignore-after-promotion', 'crash-explained'].map((name) => `<skipped message="no check of ${name} ran in 2 case(s): the campaign never reached what it guards"/>`),
    );
    expect(xml).toContain('<testcase classname="colosim.fuzz" name="cow-isolation">\n      <system-out>');
    expect(xml.endsWith('  </testsuite>\n</testsuites>\n')).toBe(true);
  });

  it('run --reporter junit on stdout: the XML instead of the text, a failure at the step with the rerun command', async () => {
    const file = join(dir, 'wrong-junit.json');
    writeFileSync(file, '{"colosim": 1, "name": "w<&>",\n "steps": [\n  {"do": "status", "side": "secondary", "expect": {"replicationError": false}}\n ]\n}\n');
    const r = await runCli(['run', file, '--reporter', 'junit']);
    expect(r.code).toBe(1);
    expect(r.out).toBe(
      [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<testsuites name="colosim" tests="1" failures="1" errors="0" time="0.000">',
        `  <testsuite name="colosim run ${file}" tests="1" failures="1" errors="0" skipped="0" time="0.000">`,
        '    <testcase classname="colosim.run" name="w&#60;&#38;&#62;">',
        `      <failure message="step 0 replicationError: expected false, got true" type="violation">step 0 replicationError: expected false, got true\n  at ${file}:3\n  rerun: npx colosim run ${file}</failure>`,
        '    </testcase>',
        '  </testsuite>',
        '</testsuites>',
        '',
      ].join('\n'),
    );
  });

  it('a bad reporter flag is a usage error naming it, before any work', async () => {
    expect(await runCli(['run', DOUBLE_START, '--reporter', 'tap'])).toEqual({ code: 2, out: '', err: 'colosim: run: --reporter must be one of junit, github, got "tap"\n' });
    expect(await runCli(['run', DOUBLE_START, '--reporter-out', 'x.xml'])).toEqual({ code: 2, out: '', err: 'colosim: run: --reporter-out needs --reporter junit\n' });
    expect(await runCli(['run', DOUBLE_START, '--json', '--reporter', 'junit'])).toEqual({
      code: 2,
      out: '',
      err: 'colosim: run: --reporter junit with --json needs --reporter-out FILE (stdout holds the JSON)\n',
    });
  });

  it('verdicts are plain text when stdout is no terminal', async () => {
    const r = await runCli(['replay', DOUBLE_START]);
    expect(r.code).toBe(0);
    expect(r.out.endsWith('holds now\n')).toBe(true);
    expect(r.out).not.toContain('\u001b[');
  });

  it.runIf(RUN_QEMU_TESTS)('diff --generate --json: the seed and the rerun command on stderr before the first case, the envelope on stdout', { timeout: 180_000 }, async () => {
    const r = await runCli(['diff', '--generate', '2', '--seed', '11', '--json', '--out', join(dir, 'diff-generate')]);
    expect(r.code).toBe(0);
    expect(r.err).toBe('colosim diff: seed 11 (rerun: npx colosim diff --generate 2 --seed 11)\n');
    const doc = json(r.out);
    expect([doc.schema, doc.command, doc.verdict, doc.exitCode, doc.seed, doc.scenarios]).toEqual([1, 'diff', 'ok', 0, 11, 2]);
  });

  it.runIf(RUN_QEMU_TESTS)('diff FILE --json: the envelope, each scenario and the summary', { timeout: 180_000 }, async () => {
    const r = await runCli(['diff', DOUBLE_START, '--json']);
    expect(r.code).toBe(0);
    const doc = json(r.out);
    expect(Object.keys(doc)).toEqual(['schema', 'command', 'verdict', 'exitCode', 'scenarios', 'summary']);
    expect([doc.schema, doc.command, doc.verdict]).toEqual([1, 'diff', 'ok']);
    expect((doc.scenarios as { file: string; differences: unknown[] }[]).map((s) => [s.file, s.differences])).toEqual([[DOUBLE_START, []]]);
  });
});
