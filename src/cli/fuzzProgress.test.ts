/*
 * The fuzz progress bar on a terminal: once a signal asks the campaign to stop, the bar is stopped
 * before the "stopping after the current case" line is printed, so no later redraw overwrites it.
 * Off a terminal, a line every five seconds; both show cases/s, violations, elapsed and (under
 * --time) remaining time, in total and per worker thread.
 */
import { describe, expect, it } from 'vitest';
import { type CampaignSummary, emptySummary } from '../fuzz/CampaignSummary.js';
import { DEFAULT_FUZZ_OPTIONS } from '../fuzz/FuzzOptions.js';
import { progressReporter } from './commands/fuzz.js';

/** A terminal stream that records what is written to it. */
function fakeTerminal(): { stream: NodeJS.WriteStream; writes: string[] } {
  const writes: string[] = [];
  const stream = {
    isTTY: true,
    columns: 100,
    write: (chunk: string) => {
      writes.push(chunk);
      return true;
    },
  } as unknown as NodeJS.WriteStream;
  return { stream, writes };
}

describe('fuzz progress on a terminal', () => {
  it('keeps the stopping line visible: nothing is drawn after it', () => {
    const { stream, writes } = fakeTerminal();
    const progress = progressReporter(100, false, stream);
    const summary = { ...emptySummary(1, DEFAULT_FUZZ_OPTIONS, 100), cases: 5, wallMs: 1000 };
    progress.update(summary);
    expect(writes.join('')).toContain('fuzz [');
    const line = 'colosim: SIGINT: stopping after the current case (send it again to quit now)';
    progress.interrupt(line);
    const at = writes.length;
    // The case in flight finishes and reports, then the campaign ends.
    progress.update({ ...summary, cases: 6 });
    progress.stop();
    expect(writes.length).toBe(at);
    expect(writes[at - 1]).toBe(`${line}\n`);
    // The bar's last frame ended with a newline before the line, so the line starts a row of its own.
    expect(writes[at - 2]).toBe('\n');
  });

  it('without a terminal it writes the line as is', () => {
    const writes: string[] = [];
    const stream = { isTTY: false, write: (c: string) => writes.push(c) > 0 } as unknown as NodeJS.WriteStream;
    progressReporter(100, false, stream).interrupt('colosim: SIGTERM: stopping');
    expect(writes).toEqual(['colosim: SIGTERM: stopping\n']);
  });
});

describe('fuzz progress figures', () => {
  /** A summary of 600 cases and 9,000 steps with 2 violations counted, 12 s into the campaign. */
  const summary = (): CampaignSummary => {
    const s = { ...emptySummary(1, DEFAULT_FUZZ_OPTIONS, 1000), cases: 600, steps: 9000, wallMs: 12_000 };
    s.invariants['cow-isolation'].violations = 2;
    return s;
  };
  const progress = { elapsedMs: 12_000, violations: 2, perWorker: new Map([[3, 400], [4, 200]]) };

  it('without a terminal: one line every five seconds with the total and each worker\'s rate', () => {
    const writes: string[] = [];
    const stream = { isTTY: false, write: (c: string) => writes.push(c) > 0 } as unknown as NodeJS.WriteStream;
    let clock = 0;
    const reporter = progressReporter({ runs: 1000 }, false, stream, () => clock);
    clock = 4999;
    reporter.update(summary(), progress);
    expect(writes).toEqual([]);
    clock = 5000;
    reporter.update(summary(), progress);
    expect(writes).toEqual(['fuzz: 600/1000 cases, 9000 steps, 2 violations, 12 s elapsed, 50 cases/s (w1 33, w2 17)\n']);
  });

  it('under a time budget: the time left instead of a case total', () => {
    const writes: string[] = [];
    const stream = { isTTY: false, write: (c: string) => writes.push(c) > 0 } as unknown as NodeJS.WriteStream;
    let clock = 0;
    const reporter = progressReporter({ runs: 100_000_000, budgetMs: 90_000 }, false, stream, () => clock);
    clock = 6000;
    reporter.update(summary(), { ...progress, perWorker: new Map([[0, 600]]) });
    expect(writes).toEqual(['fuzz: 600 cases, 9000 steps, 2 violations, 12 s elapsed, 78 s left, 50 cases/s\n']);
  });

  it('on a terminal under a time budget the bar runs over the budget and names the time left', () => {
    const { stream, writes } = fakeTerminal();
    const reporter = progressReporter({ runs: 100_000_000, budgetMs: 90_000 }, false, stream);
    reporter.update(summary(), progress);
    reporter.stop();
    expect(writes.join('')).toContain('600 cases, 12 s of 90 s, 78 s left | 9000 steps | 2 violations | 50 cases/s (w1 33, w2 17)');
  });
});
