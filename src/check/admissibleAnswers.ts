/*
 * The answers a scenario's steps may give on a backend that runs concurrent sub-steps truly in
 * parallel (QEMU on NBD connections of their own), derived by one rule: every order of the sub-steps
 * of each concurrent step is run on the engine, and a step's admissible answers are the answers the
 * engine gives it under any of those orders. The engine stays the one definition of what a step
 * does; the orders only change which sub-step is issued first, so the set covers a read racing a
 * write (old or new bytes), overlapping writes (whichever landed last, also for every later read)
 * and an I/O racing a control step (ok or the error it meets when the control step went first, and
 * the control step's own answer either way). A step whose answers agree over every order is compared
 * exactly; one whose answers differ is compared against the set (diffResults.ts counts both).
 * Limits: orders, not interleavings within a request (a read torn between two writes' bytes is not
 * admitted; QEMU issues each request of at most 32 MiB whole at the NBD server, and the generated
 * requests are far smaller); a step's set is taken on its own, not jointly with its neighbours (a
 * read admitting order A next to one admitting order B passes); at most MAX_ORDERS orders are run,
 * beyond that the scenario is compared exactly (the engine's one order), which the caller counts.
 */
import type { Scenario, Step } from '../scenario/Scenario.js';
import type { ResultDocument, StepResult } from '../scenario/StepResult.js';
import { runScenarioOnEngine } from '../scenario/runScenarioOnEngine.js';

/** The most orders run for one scenario (4 sub-steps in one group, or 2 and 3 in two, fit). */
export const MAX_ORDERS = 24;

/** Every permutation of 0..n-1, the identity first. */
export function permutations(n: number): number[][] {
  if (n <= 1) return [Array.from({ length: n }, (_, i) => i)];
  const out: number[][] = [];
  for (const rest of permutations(n - 1)) {
    for (let at = rest.length; at >= 0; at--) out.push([...rest.slice(0, at), n - 1, ...rest.slice(at)]);
  }
  return out;
}

/** One order per concurrent step (its sub-steps' original positions, in the order issued); undefined beyond MAX_ORDERS. */
export function scenarioOrders(scenario: Scenario): Map<number, number[]>[] | undefined {
  let orders: Map<number, number[]>[] = [new Map()];
  for (const [index, step] of scenario.steps.entries()) {
    if (step.do !== 'concurrent' || step.steps.length < 2) continue;
    const perms = permutations(step.steps.length);
    if (orders.length * perms.length > MAX_ORDERS) return undefined;
    orders = orders.flatMap((o) => perms.map((p) => new Map([...o, [index, p]])));
  }
  return orders;
}

/**
 * The engine's documents under every other order of the concurrent sub-steps, each sub-step's
 * result put back at its position in the file; [] when the scenario has no concurrent step of two
 * or more, undefined when it has more orders than MAX_ORDERS.
 */
export async function otherOrders(scenario: Scenario): Promise<ResultDocument[] | undefined> {
  const orders = scenarioOrders(scenario);
  if (orders === undefined) return undefined;
  const documents: ResultDocument[] = [];
  for (const order of orders.slice(1)) {
    const steps = scenario.steps.map((step, i): Step => (order.has(i) && step.do === 'concurrent' ? { do: 'concurrent', steps: order.get(i)!.map((j) => step.steps[j]!) } : step));
    const { document } = await runScenarioOnEngine({ ...scenario, steps });
    documents.push({ ...document, steps: document.steps.map((r, i) => (order.has(i) ? inFileOrder(r, order.get(i)!) : r)) });
  }
  return documents;
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
