/*
 * Running one scenario in the public API: on the engine, on real QEMU, or on the engine held to
 * the models (the statecharts and the data model, what `colosim run --check` does). Results are
 * plain data (the result document of `colosim run --json`), so a user's test can compare them.
 */
import { checkScenario } from '../check/checkScenario.js';
import type { DataCheckCount } from '../check/DataCheckCount.js';
import type { InvariantName, Violation } from '../check/Invariant.js';
import { DEFAULT_QEMU_TIMEOUT_MS, QemuSession, type QemuResultDocument, runScenarioOnQemu } from '../qemu/QemuBackend.js';
import type { Scenario } from '../scenario/Scenario.js';
import type { ResultDocument } from '../scenario/StepResult.js';
import { runScenarioOnEngine } from '../scenario/runScenarioOnEngine.js';

/** The scenario on the in-memory engine: its result document (the same seed gives the same document). */
export async function runOnEngine(scenario: Scenario): Promise<ResultDocument> {
  return (await runScenarioOnEngine(scenario)).document;
}

export interface QemuOptions {
  /** Share image templates and the located binaries across runs (close it when done); default one per run. */
  readonly session?: QemuSession;
  /** How long QEMU may be silent before it counts as hung, in ms (default 10000). */
  readonly timeoutMs?: number;
}

/**
 * The scenario on QEMU 7.2 (qemu-system-x86_64 and qemu-img on PATH): its result document. QEMU
 * missing, not starting, crashing or hanging rejects with a QemuAdapterError naming what happened.
 */
export async function runOnQemu(scenario: Scenario, options: QemuOptions = {}): Promise<QemuResultDocument> {
  const session = options.session ?? new QemuSession(undefined, options.timeoutMs ?? DEFAULT_QEMU_TIMEOUT_MS);
  try {
    return await runScenarioOnQemu(scenario, options.timeoutMs === undefined ? { session } : { session, timeoutMs: options.timeoutMs });
  } finally {
    if (options.session === undefined) await session.close();
  }
}

export { QemuSession };

export interface ModelCheck {
  readonly document: ResultDocument;
  /** Every invariant the models found violated, with its step and message (empty: the run conforms). */
  readonly violations: readonly Violation[];
  /** How many checks each invariant made. */
  readonly checks: Readonly<Partial<Record<InvariantName, number>>>;
  readonly dataCheck: DataCheckCount;
  /** Visits of the replication chart's states and transitions ("STATE" and "STATE --EVENT--> STATE"). */
  readonly coverage: { readonly states: Readonly<Record<string, number>>; readonly transitions: Readonly<Record<string, number>> };
}

export interface ModelCheckOptions {
  /** "own" (default): the scenario profile's rules; "qemu-7.2": QEMU 7.2's whatever the profile (what campaigns use). */
  readonly spec?: 'own' | 'qemu-7.2';
}

/** The scenario on the engine, held to the statecharts and the data model. */
export async function checkAgainstModels(scenario: Scenario, options: ModelCheckOptions = {}): Promise<ModelCheck> {
  const checked = await checkScenario(scenario, {}, options.spec === undefined ? {} : { spec: options.spec });
  return {
    document: checked.run.document,
    violations: checked.violations,
    checks: Object.fromEntries([...checked.checks].sort(([a], [b]) => a.localeCompare(b))),
    dataCheck: checked.dataCheck,
    coverage: { states: Object.fromEntries(checked.coverage.states), transitions: Object.fromEntries(checked.coverage.transitions) },
  };
}
