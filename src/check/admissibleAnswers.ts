/*
 * The answers a scenario's steps may give on a backend that runs concurrent sub-steps truly in
 * parallel (QEMU on NBD connections of their own), derived by one rule: every order of the sub-steps
 * of each concurrent step is run on the engine, twice (issued in that order as a concurrent step,
 * where the engine interleaves them in its simulated time, and one after the other, each finished
 * before the next starts: the serial order a real backend may also show, e.g. a control step QEMU
 * completes before the failover next to it kills the side), and a step's admissible answers are
 * the answers the engine gives it under any of those runs. The engine stays the one definition of
 * what a step does; the orders only change which sub-step goes first, so the set covers a read racing a
 * write (old or new bytes), overlapping writes (whichever landed last, also for every later read)
 * and an I/O racing a control step (ok or the error it meets when the control step went first, and
 * the control step's own answer either way). A step whose answers agree over every order is compared
 * exactly; one whose answers differ is compared against the set (diffResults.ts counts both).
 * Limits: orders, not interleavings within a request (a read torn between two writes' bytes is not
 * admitted; QEMU issues each request of at most 32 MiB whole at the NBD server, and the generated
 * requests are far smaller); a step's set is taken on its own, not jointly with its neighbours (a
 * read admitting order A next to one admitting order B passes); with two concurrent steps, both run
 * concurrently or both serially (not one of each); at most MAX_ORDERS combinations of the groups'
 * orders are run, beyond that each group's orders with the others in file order (at most
 * ONE_AT_A_TIME_ORDERS), and beyond that, or for a group of five or more sub-steps, the scenario
 * is compared exactly (the engine's one order), which the caller counts.
 */
import type { Scenario, Step } from '../scenario/Scenario.js';
import type { ResultDocument, StepResult } from '../scenario/StepResult.js';
import { runScenarioOnEngine } from '../scenario/runScenarioOnEngine.js';

/** The most orders run for one scenario (4 sub-steps in one group, or 2 and 3 in two, fit), each run twice (concurrently, serially). */
export const MAX_ORDERS = 24;
/** Past MAX_ORDERS jointly: the most orders run one group at a time (four groups of four sub-steps fit). */
export const ONE_AT_A_TIME_ORDERS = 96;

/** Every permutation of 0..n-1, the identity first. */
export function permutations(n: number): number[][] {
  if (n <= 1) return [Array.from({ length: n }, (_, i) => i)];
  const out: number[][] = [];
  for (const rest of permutations(n - 1)) {
    for (let at = rest.length; at >= 0; at--) out.push([...rest.slice(0, at), n - 1, ...rest.slice(at)]);
  }
  return out;
}

/** n!, capped once it passes MAX_ORDERS (only the comparison with the cap matters). */
function factorial(n: number): number {
  let f = 1;
  for (let i = 2; i <= n && f <= MAX_ORDERS; i++) f *= i;
  return f;
}

/**
 * One order per concurrent step (its sub-steps' original positions, in the order issued): every
 * combination of the groups' orders while there are at most MAX_ORDERS; past that, each group's
 * orders with every other group in file order (at most ONE_AT_A_TIME_ORDERS in all), which admits
 * less than every combination but more than the one order; undefined when a group alone has more
 * than MAX_ORDERS, or the groups together more than ONE_AT_A_TIME_ORDERS.
 */
export function scenarioOrders(scenario: Scenario): Map<number, number[]>[] | undefined {
  const groups = scenario.steps.flatMap((step, index) => (step.do === 'concurrent' && step.steps.length >= 2 ? [{ index, n: step.steps.length }] : []));
  // Counted before any is built: a group of 17 would otherwise build 17! arrays first.
  if (groups.some((g) => factorial(g.n) > MAX_ORDERS)) return undefined;
  const joint = groups.reduce((n, g) => n * factorial(g.n), 1);
  if (joint <= MAX_ORDERS) {
    let orders: Map<number, number[]>[] = [new Map()];
    for (const g of groups) orders = orders.flatMap((o) => permutations(g.n).map((p) => new Map([...o, [g.index, p]])));
    return orders;
  }
  if (groups.reduce((n, g) => n + factorial(g.n) - 1, 1) > ONE_AT_A_TIME_ORDERS) return undefined;
  const inFileOrder = new Map(groups.map((g) => [g.index, permutations(g.n)[0]!]));
  return [inFileOrder, ...groups.flatMap((g) => permutations(g.n).slice(1).map((p) => new Map([...inFileOrder, [g.index, p]])))];
}

/**
 * The engine's documents under every other order of the concurrent sub-steps issued concurrently,
 * and under every order run serially, each sub-step's result put back at its position in the
 * file; [] when the scenario has no concurrent step of two
 * or more, undefined when it has more orders than MAX_ORDERS.
 */
export async function otherOrders(scenario: Scenario): Promise<ResultDocument[] | undefined> {
  const orders = scenarioOrders(scenario);
  if (orders === undefined) return undefined;
  const documents: ResultDocument[] = [];
  if (orders.length === 1 && orders[0]!.size === 0) return documents;
  for (const [n, order] of orders.entries()) {
    if (n > 0) {
      const steps = scenario.steps.map((step, i): Step => (order.has(i) && step.do === 'concurrent' ? { do: 'concurrent', steps: order.get(i)!.map((j) => step.steps[j]!) } : step));
      const { document } = await runScenarioOnEngine({ ...scenario, steps });
      documents.push({ ...document, steps: document.steps.map((r, i) => (order.has(i) ? inFileOrder(r, order.get(i)!) : r)) });
    }
    documents.push(await serially(scenario, order));
  }
  return documents;
}

/**
 * The scenario with each concurrent step of `order` run as its sub-steps one after the other, in
 * that order, and the results put back in the file's shape: a concurrent step's result holds its
 * sub-steps' at their positions, ok when all are. A step the run did not reach is left out (a hole:
 * no answer of this order).
 */
async function serially(scenario: Scenario, order: ReadonlyMap<number, readonly number[]>): Promise<ResultDocument> {
  const flat: Step[] = [];
  const at: (number | number[])[] = [];
  for (const [i, step] of scenario.steps.entries()) {
    const perm = order.get(i);
    if (perm === undefined || step.do !== 'concurrent') {
      at.push(flat.push(step) - 1);
      continue;
    }
    const positions: number[] = [];
    for (const j of perm) positions[j] = flat.push(step.steps[j]!) - 1;
    at.push(positions);
  }
  const { document } = await runScenarioOnEngine({ ...scenario, steps: flat });
  const steps: StepResult[] = [];
  for (const [i, where] of at.entries()) {
    const result = typeof where === 'number' ? document.steps[where] : grouped(document.steps, where, scenario.steps[i]!.do);
    if (result !== undefined) steps[i] = { ...result, index: i };
  }
  return { ...document, steps };
}

/** The sub-steps' results (at `positions` of the flat run) as one concurrent step's; undefined when one was not reached. */
function grouped(results: readonly StepResult[], positions: readonly number[], kind: string): StepResult | undefined {
  const subs = positions.map((p, j) => (results[p] === undefined ? undefined : { ...results[p]!, index: j }));
  if (subs.some((r) => r === undefined)) return undefined;
  const steps = subs as StepResult[];
  return { index: 0, do: kind, ok: steps.every((r) => r.ok), steps };
}

/** A concurrent step's result run in `order`, its sub-steps' results back at their positions in the file. */
function inFileOrder(result: StepResult, order: readonly number[]): StepResult {
  if (result.steps === undefined) return result;
  const back: StepResult[] = [];
  for (const [issued, position] of order.entries()) {
    const sub = result.steps[issued];
    if (sub !== undefined) back[position] = { ...sub, index: position };
  }
  return { ...result, steps: back };
}
