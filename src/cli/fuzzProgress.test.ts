/*
 * The fuzz progress bar on a terminal: once a signal asks the campaign to stop, the bar is stopped
 * before the "stopping after the current case" line is printed, so no later redraw overwrites it.
 */
import { describe, expect, it } from 'vitest';
import { emptySummary } from '../fuzz/CampaignSummary.js';
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
