/*
 * Runs one mutant through a fuzz campaign with `colosim fuzz`'s default options and reports how
 * soon the checker saw it: cases to the first violation, the invariants of that case, wall seconds to
 * detection (shrinking excluded) and the shrunk counterexample's length and step kinds. The engine
 * is patched only while the campaign runs, in this thread and, with workers, in each worker thread
 * (mutantCaseWorker.js); the counterexample goes to a temporary folder that is removed afterwards.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { INVARIANT_NAMES, type InvariantName } from '../../src/check/Invariant.js';
import { runCampaign } from '../../src/fuzz/Campaign.js';
import { DEFAULT_FUZZ_OPTIONS, type FuzzOptions } from '../../src/fuzz/FuzzOptions.js';
import { parseScenarioText } from '../../src/scenario/parseScenario.js';
import type { Mutant } from './Mutant.js';

export interface Detection {
  /** The mutant's name, or the profile's for an unpatched engine. */
  readonly mutant: string;
  readonly seed: number;
  /** Cases run up to and including the first failing one (the whole budget when it survived). */
  readonly cases: number;
  /** Invariants violated by the first failing case; empty when the mutant survived. */
  readonly invariants: readonly InvariantName[];
  /** Whether one of the mutant's expected invariants was among them. */
  readonly killed: boolean;
  /** Wall seconds from the campaign's start to the end of the first failing case. */
  readonly detectSeconds: number;
  /** Steps of the shrunk counterexample, when there is one. */
  readonly shrunkSteps: number | null;
  /** Its steps' kinds, e.g. "start,failover,checkpoint" (a concurrent group as "concurrent"). */
  readonly shrunkShape: string | null;
}

export interface DetectOptions {
  readonly seed: number;
  readonly runs: number;
  /** Shrink the first failure (the campaign's default); off for a quicker count. */
  readonly shrink?: boolean;
  /** Wall clock in milliseconds (benchmarks pass performance.now; tests leave it out). */
  readonly now?: () => number;
  /** The campaign's options: `colosim fuzz`'s defaults unless given (the v24 profile, say). */
  readonly fuzz?: FuzzOptions;
  /** Worker threads (1 by default: this thread alone). */
  readonly workers?: number;
}

/** Thrown out of the campaign at the first failing case when no shrinking is wanted. */
class Detected extends Error {
  constructor(readonly cases: number) {
    super('detected');
  }
}

export async function detectMutant(mutant: Mutant, options: DetectOptions): Promise<Detection> {
  const undo = mutant.apply();
  try {
    // Worker threads copy the environment when they start: this names the mutant for them.
    process.env.COLOSIM_MUTANT_UNDER_TEST = mutant.name;
    const found = await detectViolation(mutant.name, options, new URL('./mutantCaseWorker.js', import.meta.url).href);
    return { ...found, killed: found.invariants.some((name) => (mutant.expect as readonly string[]).includes(name)) };
  } finally {
    delete process.env.COLOSIM_MUTANT_UNDER_TEST;
    undo();
  }
}

/** A campaign on the engine as it is; `killed` says whether it found any violation. */
export async function detectViolation(label: string, options: DetectOptions, workerFile?: string): Promise<Detection> {
  const now = options.now ?? (() => 0);
  const outDir = mkdtempSync(join(tmpdir(), 'colosim-mutant-'));
  let detectMs = Number.NaN;
  let invariants: InvariantName[] = [];
  const started = now();
  try {
    const summary = await runCampaign({
      seed: options.seed,
      runs: options.runs,
      fuzz: options.fuzz ?? DEFAULT_FUZZ_OPTIONS,
      outDir,
      command: `mutant ${label}`,
      workers: options.workers ?? 1,
      ...(workerFile === undefined ? {} : { workerFile }),
      onCase: (s) => {
        invariants = INVARIANT_NAMES.filter((name) => s.invariants[name].violations > 0);
        if (invariants.length === 0) return;
        detectMs = now() - started;
        // The campaign shrinks right after this call; leaving by an exception skips that.
        if (options.shrink === false) throw new Detected(s.cases);
      },
    }).catch((error: unknown) => {
      if (error instanceof Detected) return { cases: error.cases, counterexample: undefined };
      throw error;
    });
    return {
      mutant: label,
      seed: options.seed,
      cases: summary.cases,
      invariants,
      killed: invariants.length > 0,
      detectSeconds: detectMs / 1000,
      shrunkSteps: summary.counterexample?.steps ?? null,
      shrunkShape: summary.counterexample ? shapeOf(summary.counterexample.path) : null,
    };
  } finally {
    rmSync(outDir, { recursive: true, force: true });
  }
}

function shapeOf(path: string): string {
  return parseScenarioText(readFileSync(path, 'utf8'))
    .steps.map((step) => step.do)
    .join(',');
}
