/*
 * The colosim command as a user runs it (a child process): exit codes, messages for bad input,
 * the fuzz report and its counterexample replaying, and Ctrl-C during a campaign.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const BIN = fileURLToPath(new URL('./colosim.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'colosim-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function colosim(...args: string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', timeout: 120_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

describe('colosim', () => {
  it('run: a scenario whose expectations hold exits 0 and prints each step', { timeout: 60_000 }, () => {
    const r = colosim('run', fileURLToPath(new URL('../../properties/scenarios/gaps/double-start.json', import.meta.url)));
    expect(r.code).toBe(0);
    expect(r.out).toContain('error: Block replication is running or done');
  });

  it('run: an expectation that does not hold exits 1 and says which', { timeout: 60_000 }, () => {
    const file = join(dir, 'wrong.json');
    writeFileSync(file, JSON.stringify({ colosim: 1, name: 'w', steps: [{ do: 'status', side: 'secondary', expect: { replicationError: false } }] }));
    const r = colosim('run', file);
    expect(r.code).toBe(1);
    expect(r.out).toContain('step 0 replicationError: expected false, got true');
  });

  it('run: a malformed file exits 2 naming the step and the field, and runs nothing', { timeout: 60_000 }, () => {
    const file = join(dir, 'bad.json');
    writeFileSync(file, JSON.stringify({ colosim: 1, name: 'b', steps: [{ do: 'write', vm: 'primary', offset: 0, length: 512, pattern: 300 }] }));
    const r = colosim('run', file);
    expect(r.code).toBe(2);
    expect(r.err).toContain('steps[0].pattern: must be an integer from 0 to 255, got 300');
    expect(r.out).toBe('');
  });

  // v24 dereferences a NULL secondary disk on a checkpoint after failover (reference §8); QEMU 7.2 ignores it.
  const v24AfterFailover = {
    colosim: 1,
    name: 'v24-checkpoint-after-failover',
    profile: 'v24',
    disk: { size: 1048576, pattern: 17 },
    steps: [{ do: 'start', side: 'both' }, { do: 'failover' }, { do: 'checkpoint', side: 'secondary' }],
  };

  it('run --check: a v24 run conforms to its own chart and violates QEMU 7.2\'s (exit 1, invariant and step named)', { timeout: 60_000 }, () => {
    const file = join(dir, 'v24.json');
    writeFileSync(file, JSON.stringify(v24AfterFailover));
    const own = colosim('run', file, '--check', '--spec', 'own');
    expect(own.code).toBe(0);
    expect(own.out).toContain('check: no violation');
    // By default run --check holds the file to QEMU 7.2's rules, as replay does: the two agree.
    const strict = colosim('run', file, '--check');
    expect(strict.code).toBe(1);
    const replay = colosim('replay', file);
    expect([replay.code, replay.out.endsWith('still failing\n')]).toEqual([1, true]);
    expect(strict.out).toContain(
      'violation ignore-after-promotion (safety) at step 2: replication-secondary checkpoint in DONE: the chart answers ignored, the engine crash: the secondary side crashed: replication-secondary: secondary_do_checkpoint dereferenced a NULL secondary disk (stage DONE)',
    );
    const json = colosim('run', file, '--check', '--spec', 'qemu-7.2', '--json');
    expect(json.code).toBe(1);
    const doc = JSON.parse(json.out) as { check: { violations: { invariant: string; step: number }[] } };
    expect(doc.check.violations.map((v) => [v.invariant, v.step])).toEqual([['ignore-after-promotion', 2]]);
    // --check says how many disk-steps the data model checked and why some admitted several values (the
    // second checkpoint's make_empty ejects hidden; a later step's bytes are all on nodes that cannot be peeked).
    const ejected = colosim('run', fileURLToPath(new URL('../../properties/scenarios/gaps/make-empty-failure.json', import.meta.url)), '--check');
    expect(ejected.code).toBe(0);
    expect(ejected.out).toContain('check: 8 of 9 disk-steps checked (88.9 %); indeterminate (checked against the admissible set): buffer-disk-ejected 1, checkpoint-failed-part-way 2\ncheck: no violation');
    expect(colosim('run', file, '--check', '--spec', 'v25').code).toBe(2);
    expect(colosim('run', file, '--check', '--backend', 'qemu').code).toBe(2);
  });

  it('run --inspect writes XState inspection events; --chart-trace a trace the HTML chart steps through', { timeout: 60_000 }, () => {
    const file = join(dir, 'v24-own.json');
    writeFileSync(file, JSON.stringify(v24AfterFailover));
    const inspect = join(dir, 'inspect.jsonl');
    const trace = join(dir, 'trace.json');
    expect(colosim('run', file, '--spec', 'own', '--inspect', inspect, '--chart-trace', trace).code).toBe(0);
    const lines = readFileSync(inspect, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { node: string; type: string; value?: string; event?: { type: string } });
    const secondary = lines.filter((l) => l.node === 'replication-secondary' && l.type === '@xstate.snapshot');
    expect(secondary.map((l) => [l.event?.type, l.value])).toEqual([
      ['xstate.init', 'UNOPENED'],
      ['OPEN', 'NONE'],
      ['START', 'RUNNING'],
      ['STOP', 'FAILOVER'],
      ['COMMIT_OK', 'DONE'],
      ['CHECKPOINT', 'CRASHED'],
      ['xstate.stop', 'CRASHED'],
    ]);
    expect(lines.some((l) => l.type === '@xstate.actor')).toBe(true);
    // One lane per node, each step with its scenario step and the chart transitions it took.
    const lane = (node: string, state: string, event: string, step: number, transitions: string[]) => ({ machine: 'node', lane: `replication-${node}`, state, event, step, transitions });
    expect(JSON.parse(readFileSync(trace, 'utf8'))).toEqual([
      lane('secondary', 'RUNNING', 'START(secondary)', 0, ['node.NONE --START--> node.RUNNING']),
      lane('primary', 'RUNNING', 'START(primary)', 0, ['node.NONE --START [isPrimary]--> node.RUNNING']),
      lane('secondary', 'FAILOVER', 'STOP(true)', 1, ['node.RUNNING --STOP--> node.FAILOVER']),
      lane('secondary', 'DONE', 'COMMIT_OK', 1, ['node.FAILOVER --COMMIT_OK [hasCommitJob]--> node.DONE']),
      lane('secondary', 'CRASHED', 'CHECKPOINT', 2, ['node.DONE --CHECKPOINT [reachesUnlinkedSecondaryDisk]--> node.CRASHED']),
    ]);
    // Under QEMU 7.2's rules (the default) both files follow QEMU 7.2's chart, where the checkpoint after failover is ignored.
    const strictInspect = join(dir, 'inspect-7.2.jsonl');
    expect(colosim('run', file, '--inspect', strictInspect).code).toBe(1);
    const strict = readFileSync(strictInspect, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { node: string; type: string; value?: string });
    expect(strict.filter((l) => l.node === 'replication-secondary' && l.type === '@xstate.snapshot').map((l) => l.value)).toEqual([
      'UNOPENED',
      'NONE',
      'RUNNING',
      'FAILOVER',
      'DONE',
      'DONE',
      'DONE',
    ]);
    const html = join(dir, 'trace.html');
    const chart = colosim('chart', '--format', 'html', '--profile', 'v24', '--trace', trace, '--out', html);
    expect(chart.code).toBe(0);
    expect(readFileSync(html, 'utf8')).toContain('{"machine":"node","state":"CRASHED","event":"CHECKPOINT","lane":"replication-secondary","step":2,');
  });

  it('fuzz: bad arguments exit 2 with the usage', { timeout: 60_000 }, () => {
    const r = colosim('fuzz', '--faults', 'some');
    expect(r.code).toBe(2);
    expect(r.err).toContain('--faults must be one of none, tolerated, all, got "some"');
    expect(r.err).toContain('(usage: colosim fuzz');
    expect(r.err.split('\n')).toHaveLength(2); // one line and its newline
  });

  it('fuzz on v24 exits 1 and writes a counterexample that replay reproduces (exit 1)', { timeout: 120_000 }, () => {
    const out = join(dir, 'v24');
    const r = colosim('fuzz', '--seed', '3', '--runs', '50', '--profile', 'v24', '--out', out);
    expect(r.code).toBe(1);
    expect(r.out).toContain('VIOLATION');
    const summary = JSON.parse(readFileSync(join(out, 'run.json'), 'utf8')) as { counterexample: { path: string }; summaryHash: string };
    expect(existsSync(summary.counterexample.path)).toBe(true);
    expect(existsSync(join(out, 'coverage.json'))).toBe(true);
    const replay = colosim('replay', summary.counterexample.path);
    expect(replay.code).toBe(1);
    expect(replay.out).toContain('still failing');
    // report.html beside run.json: the verdict and the counterexample's timeline with its violating step.
    const html = readFileSync(join(out, 'report.html'), 'utf8');
    expect(html).toContain('<div id="verdict" class="violation">VIOLATION ');
    expect(html).toContain(`npx colosim replay ${summary.counterexample.path}`);
    expect(html).toMatch(/<tr id="step-\d+" class="step violating"/);
    // Same seed, same summary hash.
    const again = colosim('fuzz', '--seed', '3', '--runs', '50', '--profile', 'v24', '--out', join(dir, 'v24-again'), '--json');
    expect((JSON.parse(again.out) as { summaryHash: string }).summaryHash).toBe(summary.summaryHash);
  });

  it('fuzz on QEMU 7.2 exits 0 with every invariant checked', { timeout: 120_000 }, () => {
    const out = join(dir, 'clean');
    // 200 cases: the fewest on this seed in which a failed commit (failover-failed-routing) occurs.
    const r = colosim('fuzz', '--seed', '5', '--runs', '200', '--out', out, '--json');
    expect(r.code).toBe(0);
    const summary = JSON.parse(r.out) as { cases: number; determinismChecks: number; invariants: Record<string, { checks: number; violations: number }> };
    expect(summary.cases).toBe(200);
    const checkedInSteps = [
      'cow-isolation',
      'cow-first-copy-wins',
      'secondary-tracks-primary',
      'checkpoint-sync',
      'failover-preserves-view',
      'failover-failed-routing',
      'primary-swallows-errors',
      'no-io-before-start',
      'stage-monotonic',
      'ignore-after-promotion',
      'framework-order',
      'no-lost-acknowledged-write',
      'crash-explained',
      'conformance',
    ];
    // Once per case: liveness and engine-error; determinism on every tenth case (0, 10, ..., 190).
    const checkedPerCase = { liveness: 200, 'engine-error': 200, determinism: 20 };
    expect(Object.keys(summary.invariants)).toEqual([...checkedInSteps, 'liveness', 'determinism', 'engine-error']);
    for (const name of checkedInSteps) expect(summary.invariants[name]!.checks, name).toBeGreaterThan(0);
    for (const [name, checks] of Object.entries(checkedPerCase)) expect(summary.invariants[name], name).toEqual({ checks, violations: 0 });
    expect(summary.determinismChecks).toBe(20);
    for (const [name, count] of Object.entries(summary.invariants)) expect(count.violations, name).toBe(0);
  });

  it('report DIR rebuilds report.html; a bad folder or run.json is one line and exit 2', { timeout: 120_000 }, () => {
    const out = join(dir, 'report');
    expect(colosim('fuzz', '--seed', '2', '--runs', '20', '--out', out).code).toBe(0);
    rmSync(join(out, 'report.html'));
    const r = colosim('report', out);
    expect([r.code, r.err]).toEqual([0, '']);
    expect(r.out).toMatch(new RegExp(`^report: ${join(out, 'report.html')} \\(\\d+ bytes\\)\n$`));
    const html = readFileSync(join(out, 'report.html'), 'utf8');
    expect(html).toContain('<div id="verdict" class="ok">no violation in 20 cases</div>');
    expect(html).not.toMatch(/(src|href)="https?:/);
    const missing = colosim('report', join(dir, 'no-such-folder'));
    expect([missing.code, missing.err]).toEqual([2, `colosim: report: ${join(dir, 'no-such-folder')}: not a folder (give the folder colosim fuzz wrote run.json into)\n`]);
    writeFileSync(join(out, 'run.json'), JSON.stringify({ seed: 2, options: {}, runsRequested: 20, cases: 'many' }));
    const bad = colosim('report', out);
    expect([bad.code, bad.err]).toEqual([2, `colosim: report: ${join(out, 'run.json')}: cases: must be an integer >= 0\n`]);
    writeFileSync(join(out, 'run.json'), JSON.stringify({ seed: 2 }));
    expect(colosim('report', out).err).toBe(`colosim: report: ${join(out, 'run.json')}: missing field "options" (not a run.json colosim fuzz wrote?)\n`);
    writeFileSync(join(out, 'run.json'), '{"seed": 2,');
    expect(colosim('report', out).err).toMatch(new RegExp(`^colosim: report: ${join(out, 'run.json')}: not valid JSON: .*\n$`));
  });

  it('fuzz: Ctrl-C stops after the current case, still writes the report and exits 130', { timeout: 120_000 }, async () => {
    const out = join(dir, 'interrupted');
    const child = spawn(process.execPath, [BIN, 'fuzz', '--seed', '8', '--runs', '1000000', '--out', out], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    await new Promise((resolve) => setTimeout(resolve, 4000));
    child.kill('SIGINT');
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(code).toBe(130);
    expect(stdout).toContain('(interrupted)');
    const summary = JSON.parse(readFileSync(join(out, 'run.json'), 'utf8')) as { interrupted: boolean; cases: number };
    expect(summary.interrupted).toBe(true);
    expect(summary.cases).toBeGreaterThan(0);
    expect(readdirSync(out)).toContain('coverage.json');
  });
});
