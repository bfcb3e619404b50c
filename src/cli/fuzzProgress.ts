/*
 * The fuzz campaign's progress: cases per second, violations so far, elapsed time and, under a time
 * budget, the time left, in total and per worker thread. On a terminal a cli-progress bar (over the
 * cases, or over the budget under --time); otherwise a plain line every five seconds for CI logs.
 * Wall time here is the CLI's (performance.now), never the engine's.
 */
import cliProgress from 'cli-progress';
import type { CampaignProgress } from '../fuzz/Campaign.js';
import type { CampaignSummary } from '../fuzz/CampaignSummary.js';

export interface ProgressReporter {
  readonly update: (s: CampaignSummary, p?: CampaignProgress) => void;
  /** Show a line that stays: on a terminal the bar is stopped first, so it never draws over the line. */
  readonly interrupt: (line: string) => void;
  readonly stop: () => void;
}

/** What the campaign is measured against: a case count, or a time budget (then the bar shows time). */
export interface ProgressPlan {
  readonly runs: number;
  readonly budgetMs?: number;
}

/** The figures one update shows, from the summary and the campaign's progress. */
export function progressFigures(s: CampaignSummary, p: CampaignProgress | undefined, budgetMs?: number) {
  const elapsedMs = p?.elapsedMs ?? s.wallMs;
  const rate = (n: number) => (elapsedMs > 0 ? ((1000 * n) / elapsedMs).toFixed(0) : '-');
  const violations = p?.violations ?? Object.values(s.invariants).reduce((n, c) => n + c.violations, 0);
  const threads = [...(p?.perWorker ?? new Map<number, number>())].filter(([id]) => id > 0).sort(([a], [b]) => a - b);
  const workers = threads.length > 1 ? ` (${threads.map(([, n], i) => `w${i + 1} ${rate(n)}`).join(', ')})` : '';
  const left = budgetMs === undefined ? '' : `, ${Math.max(0, (budgetMs - elapsedMs) / 1000).toFixed(0)} s left`;
  return { rate: rate(s.cases), workers, violations, elapsed: `${(elapsedMs / 1000).toFixed(0)} s`, left };
}

/** `now` is when lines are due (tests pass their own clock); the figures come from the campaign. */
export function progressReporter(plan: ProgressPlan | number, quiet: boolean, stream: NodeJS.WriteStream = process.stderr, now: () => number = () => performance.now()): ProgressReporter {
  const { runs, budgetMs } = typeof plan === 'number' ? { runs: plan, budgetMs: undefined } : plan;
  if (stream.isTTY && !quiet) return terminalProgress(runs, budgetMs, stream);
  let last = now();
  const total = budgetMs === undefined ? `/${runs}` : '';
  return {
    update: (s, p) => {
      const at = now();
      if (at - last < 5000) return;
      last = at;
      const f = progressFigures(s, p, budgetMs);
      stream.write(`fuzz: ${s.cases}${total} cases, ${s.steps} steps, ${f.violations} violations, ${f.elapsed} elapsed${f.left}, ${f.rate} cases/s${f.workers}\n`);
    },
    interrupt: (line) => stream.write(`${line}\n`),
    stop: () => undefined,
  };
}

function terminalProgress(runs: number, budgetMs: number | undefined, stream: NodeJS.WriteStream): ProgressReporter {
  const over = budgetMs === undefined ? '{value}/{total} cases' : '{cases} cases, {elapsed} of {budget}{left}';
  const bar = new cliProgress.SingleBar(
    { format: `fuzz [{bar}] ${over} | {steps} steps | {violations} violations | {rate} cases/s{workers}`, stream, hideCursor: true },
    cliProgress.Presets.shades_classic,
  );
  const budgetS = budgetMs === undefined ? 0 : Math.ceil(budgetMs / 1000);
  bar.start(budgetMs === undefined ? runs : budgetS, 0, { steps: 0, rate: '-', violations: 0, workers: '', cases: 0, elapsed: '0 s', budget: `${budgetS} s`, left: '' });
  let running = true;
  const stop = (): void => {
    if (running) bar.stop();
    running = false;
  };
  return {
    update: (s, p) => {
      if (!running) return;
      const f = progressFigures(s, p, budgetMs);
      const value = budgetMs === undefined ? s.cases : Math.min(budgetS, Math.floor((p?.elapsedMs ?? s.wallMs) / 1000));
      bar.update(value, { steps: s.steps, rate: f.rate, violations: f.violations, workers: f.workers, cases: s.cases, elapsed: f.elapsed, left: f.left });
    },
    interrupt: (line) => {
      stop();
      stream.write(`${line}\n`);
    },
    stop,
  };
}
