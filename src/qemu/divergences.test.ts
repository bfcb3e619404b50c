import { describe, expect, it } from 'vitest';
import { parseScenario } from '../scenario/parseScenario.js';
import { runScenarioOnEngine } from '../scenario/runScenarioOnEngine.js';
import type { ResultDocument, StepResult } from '../scenario/StepResult.js';
import { DIVERGENCES, type Divergence, explainDifferences, matchesDivergence } from './divergences.js';

const doc = (backend: 'engine' | 'qemu', steps: StepResult[]): ResultDocument => ({ scenario: 's', backend, steps });

describe('DIVERGENCES', () => {
  it('each names a library file or carries a reproducer, and says why', () => {
    for (const d of DIVERGENCES) {
      expect(d.scenario === 'reproducer' ? d.reproducer !== undefined : /^(peer|gaps)\/.+\.json$/.test(d.scenario), d.id).toBe(true);
      expect(d.explanation.length, d.id).toBeGreaterThan(100);
      expect(d.differences.length, d.id).toBeGreaterThan(0);
    }
    expect(new Set(DIVERGENCES.map((d) => d.id)).size).toBe(DIVERGENCES.length);
  });

  it('each names the QEMU versions it holds for, as a version range', () => {
    const one = String.raw`(\d+\.\d+(\.\d+)?|(>=|<|<=|>)\d+\.\d+(\.\d+)?( (<|<=)\d+\.\d+(\.\d+)?)?)`;
    const range = new RegExp(`^${one}(, ${one})*$`);
    expect(DIVERGENCES.map((d) => [d.id, d.qemu])).toEqual([
      ['unaligned-write-padding-garbage', '7.2.22, 10.0.2, 10.0.13'],
      ['unaligned-secondary-write-padding-garbage', '7.2.22, 10.0.2, 10.0.13'],
      ['blkdebug-align-padding', '7.2.22, 10.0.2, 10.0.13'],
    ]);
    for (const d of DIVERGENCES) expect(range.test(d.qemu), `${d.id}: ${d.qemu}`).toBe(true);
    expect(range.test('>=8.2 <10.0.13')).toBe(true);
    expect(range.test('7.2 or so')).toBe(false);
  });
});

describe('explainDifferences', () => {
  const scenario = parseScenario({
    colosim: 1,
    name: 'x',
    disk: { size: 262144, pattern: 0x11 },
    steps: [
      { do: 'start', side: 'both' },
      { do: 'write', vm: 'primary', offset: 1000, length: 100, pattern: 0x22 },
      { do: 'read', vm: 'secondary', node: 'disk', offset: 0, length: 2048 },
      { do: 'status', side: 'secondary' },
    ],
  });
  const engine = doc('engine', [
    { index: 0, do: 'start', ok: true },
    { index: 1, do: 'write', ok: true },
    { index: 2, do: 'read', ok: true, runs: [[0x11, 2048]] },
    { index: 3, do: 'status', ok: true, replicationError: false },
  ]);

  // The engine's read: the guest's 100 bytes, PRNG bytes around them (here 0x5a for short).
  const engineRuns = [[0x11, 512], [0x5a, 488], [0x22, 100], [0x5a, 436], [0x11, 512]] as [number, number][];
  const engineDoc = doc('engine', [engine.steps[0]!, engine.steps[1]!, { index: 2, do: 'read', ok: true, runs: engineRuns }, engine.steps[3]!]);

  it('explains a write-zeroes whose padded sector lost the guest\'s zeros too, but not a write\'s guest bytes, nor an aligned middle sector', () => {
    const zeroes = parseScenario({
      colosim: 1,
      name: 'z',
      disk: { size: 262144, pattern: 1 },
      steps: [
        { do: 'start', side: 'both' },
        { do: 'write-zeroes', vm: 'primary', offset: 0, length: 1025 },
        { do: 'read', vm: 'secondary', node: 'disk', offset: 0, length: 1536 },
      ],
    });
    const head = [{ index: 0, do: 'start', ok: true }, { index: 1, do: 'write-zeroes', ok: true }];
    const engineRuns = [[0, 1025], [0x5a, 511]] as [number, number][];
    const read = (runs: [number, number][]) => doc('qemu', [...head, { index: 2, do: 'read', ok: true, runs }]);
    const engineZeroes = doc('engine', [...head, { index: 2, do: 'read', ok: true, runs: engineRuns }]);
    // QEMU's last (padded) sector holds an earlier buffer's bytes, the guest's zero at 1024 included.
    const lost = [[0, 1024], [1, 512]] as [number, number][];
    const explained = [{ step: '2', field: 'runs', engine: engineRuns, qemu: lost }];
    expect(explainDifferences(zeroes, engineZeroes, read(lost), explained).unexplained).toEqual([]);
    // The first sector is aligned and whole: a byte missing there is no padding.
    const middle = [[0, 100], [1, 1], [0, 923], [1, 512]] as [number, number][];
    const unexplained = [{ step: '2', field: 'runs', engine: engineRuns, qemu: middle }];
    expect(explainDifferences(zeroes, engineZeroes, read(middle), unexplained).unexplained).toEqual(unexplained);
  });

  it('explains bytes of the padding around an unaligned primary write', () => {
    const runs = [[0x11, 512], [0, 488], [0x22, 100], [0, 436], [0x11, 512]] as [number, number][];
    const qemu = doc('qemu', [engine.steps[0]!, engine.steps[1]!, { index: 2, do: 'read', ok: true, runs }, engine.steps[3]!]);
    const differences = [{ step: '2', field: 'runs', engine: engineRuns, qemu: runs }];
    expect(explainDifferences(scenario, engineDoc, qemu, differences)).toEqual({ explained: differences, unexplained: [], explainedBy: ['unaligned-write-padding-garbage'] });
  });

  it("does not explain a byte outside those sectors, nor one of the guest's own bytes", () => {
    for (const runs of [
      [[0x11, 511], [0x33, 1], [0, 488], [0x22, 100], [0, 436], [0x11, 512]],
      [[0x11, 512], [0, 488], [0x22, 99], [0x33, 1], [0, 436], [0x11, 512]],
    ] as [number, number][][]) {
      const qemu = doc('qemu', [engine.steps[0]!, engine.steps[1]!, { index: 2, do: 'read', ok: true, runs }, engine.steps[3]!]);
      const differences = [{ step: '2', field: 'runs', engine: engineRuns, qemu: runs }];
      expect(explainDifferences(scenario, engineDoc, qemu, differences).unexplained).toEqual(differences);
    }
  });

  it('explains each difference on its own: a later difference the padding does not cover stays unexplained (issue 12 D4)', () => {
    const runs = [[0x11, 512], [0, 488], [0x22, 100], [0, 436], [0x11, 512]] as [number, number][];
    const qemu = doc('qemu', [engine.steps[0]!, engine.steps[1]!, { index: 2, do: 'read', ok: true, runs }, { index: 3, do: 'status', ok: true, replicationError: true, desc: 'I/O error occurred' }]);
    const padding = { step: '2', field: 'runs', engine: engineRuns, qemu: runs };
    const status = [
      { step: '3', field: 'replicationError', engine: false, qemu: true },
      { step: '3', field: 'desc', engine: undefined, qemu: 'I/O error occurred' },
    ];
    expect(explainDifferences(scenario, engineDoc, qemu, [padding, ...status])).toEqual({ explained: [padding], unexplained: status, explainedBy: ['unaligned-write-padding-garbage'] });
  });

  it('explains the padding around an unaligned primary write-zeroes too (a write of zeros through replication; diff --generate seed 12)', () => {
    const zeroes = parseScenario({
      colosim: 1,
      name: 'z',
      disk: { size: 262144, pattern: 0 },
      steps: [
        { do: 'start', side: 'both' },
        { do: 'write-zeroes', vm: 'primary', offset: 0, length: 1 },
        { do: 'read', vm: 'secondary', node: 'disk', offset: 0, length: 2 },
      ],
    });
    const difference = { step: '2', field: 'runs', engine: [[0, 1], [230, 1]], qemu: [[0, 2]] };
    expect(explainDifferences(zeroes, engine, engine, [difference]).explainedBy).toEqual(['unaligned-write-padding-garbage']);
  });

  it('explains padding bytes a read inside a concurrent step sees of a write of that step (diff --generate --concurrent seed 1)', () => {
    const racing = parseScenario({
      colosim: 1,
      name: 'c',
      disk: { size: 262144, pattern: 0 },
      steps: [
        { do: 'start', side: 'both' },
        { do: 'concurrent', steps: [
          { do: 'stop', side: 'secondary', failover: false },
          { do: 'write', vm: 'primary', offset: 0, length: 15361, pattern: 0 },
          { do: 'read', vm: 'secondary', offset: 8704, length: 7168, node: 'disk' },
        ] },
      ],
    });
    // QEMU's read as the campaign met it: the write's zeros, then heap bytes in the padding of sector [15360, 15872).
    const qemuRuns = [[0, 6920], [1, 1], [63, 1], [1, 1], [0, 245]];
    const inPadding = { step: '1.2', field: 'runs', engine: [[0, 7168]], qemu: qemuRuns };
    expect(explainDifferences(racing, engine, engine, [inPadding]).explainedBy).toEqual(['unaligned-write-padding-garbage']);
    // A byte before the padded sector (offset 8704 + 6655 = 15359) is the write's own: not explained.
    const outside = { step: '1.2', field: 'runs', engine: [[0, 7168]], qemu: [[0, 6655], [9, 1], [0, 512]] };
    expect(explainDifferences(racing, engine, engine, [outside]).unexplained).toEqual([outside]);
  });

  it("no longer explains the unaligned write's own result: the engine forwards it as QEMU does", () => {
    const differences = [
      { step: '1', field: 'ok', engine: true, qemu: false },
      { step: '1', field: 'errno', engine: undefined, qemu: 'EIO' },
    ];
    expect(explainDifferences(scenario, engine, engine, differences).unexplained).toEqual(differences);
  });

  it("explains a secondary read's padding bytes around an unaligned secondary write only when reading the secondary disk can fail (D1)", () => {
    const secondary = (faults: unknown[]) =>
      parseScenario({
        colosim: 1,
        name: 'y',
        disk: { size: 262144, pattern: 90 },
        engine: { faults },
        steps: [
          { do: 'start', side: 'both' },
          { do: 'write', vm: 'secondary', offset: 1100, length: 10, pattern: 1 },
          { do: 'read', vm: 'secondary', offset: 1024, length: 512 },
        ],
      });
    const difference = { step: '2', field: 'runs', engine: [[0x5a, 76], [1, 10], [0x5a, 426]], qemu: [[0, 76], [1, 10], [0, 426]] };
    const fault = { kind: 'io-error', node: 'secondary-disk', op: 'read', errno: 'EIO', offset: 1024, bytes: 512, times: 1 };
    expect(explainDifferences(secondary([fault]), engine, engine, [difference]).explainedBy).toEqual(['unaligned-write-padding-garbage']);
    expect(explainDifferences(secondary([]), engine, engine, [difference]).unexplained).toEqual([difference]);
  });
});

describe('matchesDivergence', () => {
  const d: Divergence = {
    id: 'example',
    kind: 'engine-bug',
    qemu: '7.2.22',
    scenario: 'gaps/make-empty-failure.json',
    differences: [
      { step: '7', field: 'ok', engine: true, qemu: false },
      { step: '7', field: 'errno', engine: undefined, qemu: 'EINVAL' },
    ],
    explanation: 'An example divergence for the matcher (the engine answered ok where QEMU failed the write with EINVAL).',
  };

  it('accepts exactly the listed differences and names what changed', () => {
    const exact = d.differences.map(({ step, field, engine, qemu }) => ({ step, field, engine, qemu }));
    expect(matchesDivergence(d, exact)).toEqual([]);
    expect(matchesDivergence(d, exact.slice(1))[0]).toBe(`expected ${exact.length} difference(s), got ${exact.length - 1}`);
    expect(matchesDivergence(d, [])).toContain('difference 0 (step 7 ok): missing');
  });

  it('an intermittent divergence may not show, but when it shows it must be exact', () => {
    const intermittent = { ...d, intermittent: true };
    expect(matchesDivergence(intermittent, [])).toEqual([]);
    expect(matchesDivergence(intermittent, [{ step: '7', field: 'ok', engine: true, qemu: true }])[0]).toBe('expected 2 difference(s), got 1');
  });
});

describe('unaligned-write-padding-garbage', () => {
  const padding = DIVERGENCES.find((x) => x.id === 'unaligned-write-padding-garbage')!;
  const expected = padding.differences[0]!;
  const engineRead = async () => (await runScenarioOnEngine(parseScenario(padding.reproducer!))).document.steps[2]!.runs;

  it("the engine's padding is seeded PRNG bytes around the guest's, the same on every run", async () => {
    const runs = await engineRead();
    expect(runs).toEqual(await engineRead());
    expect(expected.engineMatches!.test(runs)).toBe(true);
  });

  it('zeros around the guest bytes (what the engine wrote before) no longer match', () => {
    expect(expected.engineMatches!.test([[0, 488], [0x22, 100], [0, 436]])).toBe(false);
    const qemu = [[0, 488], [0x22, 100], [0, 436]];
    expect(matchesDivergence(padding, [{ step: '2', field: 'runs', engine: [[0, 488], [0x22, 100], [0, 436]], qemu }])).toEqual([
      `difference 0 (step 2 runs): the engine's [[0,488],[34,100],[0,436]] is not "${expected.engineMatches!.description}"`,
    ]);
  });
});
