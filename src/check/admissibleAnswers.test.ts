/*
 * The answers every order of a concurrent step's sub-steps admits (admissibleAnswers.ts), on the
 * engine, and the differential comparison against them (diffResults.ts): QEMU applying two
 * overlapping writes in the order the engine did not pick passes, counted as compared against the
 * set; bytes no order leaves are a difference with the exact fields.
 */
import { describe, expect, it } from 'vitest';
import { parseScenario } from '../scenario/parseScenario.js';
import { runScenarioOnEngine } from '../scenario/runScenarioOnEngine.js';
import type { ResultDocument } from '../scenario/StepResult.js';
import { MAX_ORDERS, ONE_AT_A_TIME_ORDERS, otherOrders, permutations, scenarioOrders } from './admissibleAnswers.js';
import { diffResults } from './diffResults.js';

const OVERLAP = parseScenario({
  colosim: 1,
  name: 'overlap',
  disk: { size: 262144, pattern: 0 },
  steps: [
    { do: 'start', side: 'both' },
    { do: 'concurrent', steps: [
      { do: 'write', vm: 'secondary', offset: 0, length: 8192, pattern: 1 },
      { do: 'write', vm: 'secondary', offset: 4096, length: 8192, pattern: 2 },
    ] },
    { do: 'read', vm: 'secondary', offset: 0, length: 12288 },
  ],
});

/** The read's bytes when the first write lands last, and when the second does (written out by hand). */
const SECOND_LAST = [[1, 4096], [2, 8192]];
const FIRST_LAST = [[1, 8192], [2, 4096]];

function asQemu(document: ResultDocument, readRuns: unknown): ResultDocument {
  const steps = structuredClone(document.steps);
  steps[2] = { ...steps[2]!, runs: readRuns as [number, number][] };
  return { ...document, backend: 'qemu', steps };
}

describe('permutations and orders', () => {
  it('lists every order once, the identity first', () => {
    expect(permutations(1)).toEqual([[0]]);
    expect(permutations(3)[0]).toEqual([0, 1, 2]);
    expect(new Set(permutations(3).map((p) => p.join(''))).size).toBe(6);
    expect([...new Set(permutations(3).map((p) => p.join('')))].sort()).toEqual(['012', '021', '102', '120', '201', '210']);
  });

  it('multiplies the orders of the concurrent steps, and gives up past MAX_ORDERS', () => {
    expect(scenarioOrders(OVERLAP)!.map((o) => [...o.entries()])).toEqual([[[1, [0, 1]]], [[1, [1, 0]]]]);
    const write = { do: 'write', vm: 'secondary', offset: 0, length: 512, pattern: 1 };
    const five = parseScenario({ colosim: 1, name: 'five', disk: { size: 262144, pattern: 0 }, steps: [{ do: 'concurrent', steps: [write, write, write, write, write] }] });
    expect(MAX_ORDERS).toBe(24);
    expect(scenarioOrders(five)).toBeUndefined();
    // 17 sub-steps (the qemu-bugs library file's shape) give up at once, without building 17! orders.
    const seventeen = parseScenario({ colosim: 1, name: 'seventeen', disk: { size: 262144, pattern: 0 }, steps: [{ do: 'concurrent', steps: Array.from({ length: 17 }, () => write) }] });
    expect(scenarioOrders(seventeen)).toBeUndefined();
  });

  it('past MAX_ORDERS jointly, varies one group at a time with the others in file order', () => {
    const write = { do: 'write', vm: 'secondary', offset: 0, length: 512, pattern: 1 };
    const three = { do: 'concurrent', steps: [write, write, write] };
    // Two groups of three: 36 combinations, so 1 + 5 + 5 orders.
    const two = parseScenario({ colosim: 1, name: 'two', disk: { size: 262144, pattern: 0 }, steps: [{ do: 'start', side: 'both' }, three, three] });
    const orders = scenarioOrders(two)!.map((o) => `${o.get(1)!.join('')}/${o.get(2)!.join('')}`);
    expect(orders[0]).toBe('012/012');
    expect([...orders].sort()).toEqual(['012/012', '012/021', '012/102', '012/120', '012/201', '012/210', '021/012', '102/012', '120/012', '201/012', '210/012']);
    expect(ONE_AT_A_TIME_ORDERS).toBe(96);
    // Five groups of four: 1 + 5 x 23 = 116 orders, past ONE_AT_A_TIME_ORDERS.
    const four = { do: 'concurrent', steps: [write, write, write, write] };
    const five = parseScenario({ colosim: 1, name: 'five-groups', disk: { size: 262144, pattern: 0 }, steps: [four, four, four, four, four] });
    expect(scenarioOrders(five)).toBeUndefined();
    const fourGroups = parseScenario({ colosim: 1, name: 'four-groups', disk: { size: 262144, pattern: 0 }, steps: [four, four, four, four] });
    expect(scenarioOrders(fourGroups)).toHaveLength(93);
  });
});

describe('comparison against the admissible set', () => {
  it('admits either order of two overlapping writes for the read after them', async () => {
    const { document: engine } = await runScenarioOnEngine(OVERLAP);
    const others = (await otherOrders(OVERLAP))!;
    expect(others).toHaveLength(3);
    const seen = [...new Set([engine, ...others].map((d) => JSON.stringify(d.steps[2]!.runs)))].sort();
    expect(seen).toEqual([JSON.stringify(SECOND_LAST), JSON.stringify(FIRST_LAST)].sort());
    // The documents: the file's order run serially, the other order issued concurrently, the other order run serially.
    // Serially, the second write last leaves its bytes over the overlap; the first last, its own.
    expect([others[0]!.steps[2]!.runs, others[2]!.steps[2]!.runs]).toEqual([SECOND_LAST, FIRST_LAST]);
    // Each sub-step's result is back at its position in the file, as the engine's own run has it.
    for (const other of others) expect(other.steps[1]!.steps!.map((s) => [s.index, s.do, s.ok])).toEqual([[0, 'write', true], [1, 'write', true]]);
    expect(others.map((o) => o.steps.map((s) => [s.index, s.do]))).toEqual(Array(3).fill([[0, 'start'], [1, 'concurrent'], [2, 'read']]));
    const notEngines = JSON.stringify(engine.steps[2]!.runs) === JSON.stringify(SECOND_LAST) ? FIRST_LAST : SECOND_LAST;
    const diff = diffResults(engine, asQemu(engine, notEngines), others);
    expect(diff).toEqual({ differences: [], compared: 5, skipped: 0, setCompared: 1 });
    // Without the other orders the same answer is a difference: the comparison is exact.
    expect(diffResults(engine, asQemu(engine, notEngines)).differences).toEqual([{ step: '2', field: 'runs', engine: engine.steps[2]!.runs, qemu: notEngines }]);
  });

  it('reports bytes no order gives, with the exact fields', async () => {
    const { document: engine } = await runScenarioOnEngine(OVERLAP);
    const others = (await otherOrders(OVERLAP))!;
    const doctored = [[1, 4096], [3, 4096], [2, 4096]];
    const diff = diffResults(engine, asQemu(engine, doctored), others);
    expect(diff.differences).toEqual([{ step: '2', field: 'runs', engine: engine.steps[2]!.runs, qemu: doctored }]);
    expect(diff.setCompared).toBe(1);
  });

  it('admits the status a stop racing it gives in either order, and no answer neither order gives', async () => {
    const racing = parseScenario({
      colosim: 1,
      name: 'stop-status',
      disk: { size: 262144, pattern: 0 },
      steps: [{ do: 'start', side: 'both' }, { do: 'concurrent', steps: [{ do: 'stop', side: 'secondary', failover: true }, { do: 'status', side: 'secondary' }] }],
    });
    const { document: engine } = await runScenarioOnEngine(racing);
    const others = (await otherOrders(racing))!;
    const answers = [...new Set([engine, ...others].map((d) => JSON.stringify({ ...d.steps[1]!.steps![1], index: 1 })))].sort();
    // The status before the stop, and after the failover stopped replication (desc as QEMU words it).
    expect(answers).toEqual([
      JSON.stringify({ index: 1, do: 'status', ok: true, replicationError: false }),
      JSON.stringify({ index: 1, do: 'status', ok: true, replicationError: true, desc: 'I/O error occurred' }),
    ].sort());
    const qemuWith = (status: object): ResultDocument => {
      const steps = structuredClone(engine.steps);
      steps[1]!.steps![1] = { index: 1, do: 'status', ...status } as never;
      return { ...engine, backend: 'qemu', steps };
    };
    expect(diffResults(engine, qemuWith({ ok: true, replicationError: false }), others).differences).toEqual([]);
    expect(diffResults(engine, qemuWith({ ok: true, replicationError: true, desc: 'I/O error occurred' }), others).differences).toEqual([]);
    // Each field of an answer no order gives is reported against the engine's own order.
    const odd = diffResults(engine, qemuWith({ ok: false, error: 'Replication is not running' }), others);
    const own = engine.steps[1]!.steps![1]!;
    expect(odd.differences).toEqual([
      { step: '1.1', field: 'ok', engine: true, qemu: false },
      { step: '1.1', field: 'error', engine: undefined, qemu: 'Replication is not running' },
      { step: '1.1', field: 'replicationError', engine: own.replicationError, qemu: undefined },
      ...(own.desc === undefined ? [] : [{ step: '1.1', field: 'desc', engine: own.desc, qemu: undefined }]),
    ]);
    expect(odd.setCompared).toBe(1);
  });

  it('runs no other order for a scenario without a concurrent step', async () => {
    const plain = parseScenario({ colosim: 1, name: 'plain', disk: { size: 262144, pattern: 0 }, steps: [{ do: 'start', side: 'both' }] });
    expect(await otherOrders(plain)).toEqual([]);
  });
});
