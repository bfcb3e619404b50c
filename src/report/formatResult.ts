/*
 * The human-readable form of a result document: one line a step with what it did and how it ended,
 * reads shown as runs of bytes, then the expectation mismatches, if any.
 */
import { hexByte } from '../check/compareBytes.js';
import type { Scenario, Step } from '../scenario/Scenario.js';
import type { Mismatch } from '../scenario/expectations.js';
import type { ResultDocument, Runs, StepResult } from '../scenario/StepResult.js';

export function formatResult(scenario: Scenario, document: ResultDocument, mismatches: readonly Mismatch[]): string {
  const lines = [`scenario ${scenario.name} (${document.backend}, ${scenario.profile}, ${scenario.disks} disk(s) of ${scenario.disk.size} bytes)`];
  scenario.steps.forEach((step, i) => {
    const result = document.steps[i];
    lines.push(`  #${String(i).padEnd(3)} ${describeStep(step).padEnd(44)} ${result ? describeResult(result) : 'not run'}`);
    if (step.do === 'concurrent' && result?.steps) {
      step.steps.forEach((sub, j) => lines.push(`       .${j} ${describeStep(sub).padEnd(42)} ${describeResult(result.steps![j]!)}`));
    }
  });
  if (document.aborted) lines.push(`aborted at step ${document.aborted.step}: ${document.aborted.code}: ${document.aborted.message}`);
  if (document.traceHash) lines.push(`trace hash ${document.traceHash}`);
  if (mismatches.length > 0) {
    lines.push(`${mismatches.length} expectation(s) not met:`);
    for (const m of mismatches) lines.push(`  step ${m.step} ${m.field}: expected ${JSON.stringify(m.expected)}, got ${JSON.stringify(m.actual)}`);
  }
  return lines.join('\n');
}

export function describeStep(step: Step): string {
  switch (step.do) {
    case 'start':
      return `start ${step.side}${step.mode ? ` (mode ${step.mode})` : ''}`;
    case 'stop':
      return `stop ${step.side}${step.failover ? ' failover' : ''}`;
    case 'checkpoint':
    case 'status':
      return `${step.do} ${step.side}`;
    case 'write':
      return `write ${step.vm}${disk(step.disk)} ${step.offset}+${step.length} = ${hexByte(step.pattern)}`;
    case 'read':
      return `read ${step.vm}${disk(step.disk)} ${step.offset}+${step.length}`;
    case 'write-zeroes':
      return `write-zeroes ${step.vm}${disk(step.disk)} ${step.offset}+${step.length}${step.unmap ? ' unmap' : ''}`;
    case 'discard':
      return `discard ${step.vm}${disk(step.disk)} ${step.offset}+${step.length}`;
    case 'flush':
      return `flush ${step.vm}${disk(step.disk)}`;
    case 'failover':
      return `failover (${step.lost ?? 'primary'} lost)`;
    case 'wait':
      return `wait ${step.ticks} ticks`;
    case 'heal':
      return 'heal (faults stop)';
    case 'close':
      return `close ${step.side}${disk(step.disk)}`;
    case 'concurrent':
      return `concurrent (${step.steps.length} steps)`;
  }
}

export function describeResult(result: StepResult): string {
  if (result.skipped !== undefined) return `skipped: ${result.skipped}`;
  if (result.steps) return `${result.steps.filter((s) => s.ok).length} of ${result.steps.length} ok`;
  if (!result.ok) return result.errno ?? `error: ${result.error}${result.code ? ` [${result.code}]` : ''}`;
  if (result.runs) return `ok ${formatRuns(result.runs)}`;
  if (result.replicationError !== undefined) return result.replicationError ? `ok error: ${result.desc}` : 'ok no error';
  return 'ok';
}

export function formatRuns(runs: Runs, max = 6): string {
  const shown = runs.slice(0, max).map(([byte, count]) => `${hexByte(byte)}x${count}`);
  return `[${shown.join(' ')}${runs.length > max ? ` ...${runs.length - max} more` : ''}]`;
}


function disk(index: number | undefined): string {
  return index === undefined || index === 0 ? '' : `[disk ${index}]`;
}
