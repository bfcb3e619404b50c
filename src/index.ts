/*
 * colosim's public API: what `import ... from 'colosim'` gives. Everything here is stable within
 * a major version and documented in the README ("Library API"); any other module is internal and
 * may change. It builds and parses scenarios, runs one on the engine or on QEMU, checks one
 * against the models, generates steps, faults and whole cases for fast-check, judges a case as
 * the campaign does (checkCase), and runs a campaign.
 */
import { packageInfo } from './util/packageInfo.js';

export { buildScenario, formatScenario, type ScenarioInput } from './api/scenarios.js';
export { parseScenario, parseScenarioText, ScenarioError } from './scenario/parseScenario.js';
export {
  CHAIN_VARIANTS,
  IO_TARGETS,
  PROFILES,
  SCENARIO_FORMAT_VERSION,
  STEP_KINDS,
  type ChainVariant,
  type EngineSettings,
  type ExpectedResult,
  type Origin,
  type Profile,
  type Scenario,
  type ScenarioStep,
  type ScheduleSpec,
  type Step,
  type StepKind,
  type TimingSpec,
} from './scenario/Scenario.js';
export type { Fault, FaultKind } from './sim/FaultPlan.js';
export type { ResultDocument, StepResult, Runs } from './scenario/StepResult.js';
export { compareExpectations, type Mismatch } from './scenario/expectations.js';

export { runOnEngine, runOnQemu, QemuSession, checkAgainstModels, type ModelCheck, type ModelCheckOptions, type QemuOptions } from './api/run.js';
export { QemuAdapterError } from './qemu/QemuAdapterError.js';
export { INVARIANTS, INVARIANT_NAMES, type InvariantName, type InvariantKind, type Violation } from './check/Invariant.js';
export type { DataCheckCount } from './check/DataCheckCount.js';

export { caseArbitrary, stepArbitrary, faultsArbitrary, type CaseOptions, type FaultOptions } from './api/arbitraries.js';
export { checkCase, assertCase, CaseViolation, type CaseVerdict } from './api/checkCase.js';
export { runCampaign, type CampaignRunOptions } from './api/campaign.js';
export type { CampaignSummary } from './fuzz/CampaignSummary.js';
export { DEFAULT_FUZZ_OPTIONS, FAULT_MODES, type FaultMode, type FuzzOptions } from './fuzz/FuzzOptions.js';

/** The version of this colosim package (its package.json). */
export const VERSION: string = packageInfo().version;
