/*
 * The fuzz campaign as a function: what `colosim fuzz` runs, without the terminal. Cases are
 * generated from the seed, run and checked one after another; the first violation is shrunk and
 * written as a counterexample file into outDir (its path is in the summary). The summary is the
 * campaign part of `colosim fuzz --json`. Pass an AbortSignal to stop after the current case.
 */
import { runCampaign as runFuzzCampaign } from '../fuzz/Campaign.js';
import type { CampaignSummary } from '../fuzz/CampaignSummary.js';
import { DEFAULT_FUZZ_OPTIONS, type FuzzOptions } from '../fuzz/FuzzOptions.js';

export interface CampaignRunOptions extends Partial<FuzzOptions> {
  readonly seed: number;
  readonly runs: number;
  /** Where a counterexample is written (created when needed; nothing is written while no case fails). */
  readonly outDir: string;
  readonly signal?: AbortSignal;
  /** Called after every case with the running summary. */
  readonly onCase?: (summary: CampaignSummary) => void;
}

export async function runCampaign(options: CampaignRunOptions): Promise<CampaignSummary> {
  const { seed, runs, outDir, signal, onCase, ...fuzz } = options;
  const settings: FuzzOptions = { ...DEFAULT_FUZZ_OPTIONS, ...fuzz };
  return runFuzzCampaign({
    seed,
    runs,
    fuzz: settings,
    outDir,
    command: `colosim fuzz --seed ${seed} --runs ${runs} --steps ${settings.steps} --faults ${settings.faults} --profile ${settings.profile}`,
    ...(signal === undefined ? {} : { signal }),
    ...(onCase === undefined ? {} : { onCase }),
  });
}
