/*
 * The piscina task a worker thread runs: one campaign case (evaluateCase), tagged with the thread's
 * id for the progress display. Loaded through caseWorkerEntry.js, which registers tsx first.
 */
import { threadId } from 'node:worker_threads';
import { type CaseOutcome, type CaseTask, evaluateCase } from './evaluateCase.js';

export default function runCaseTask(task: CaseTask): Promise<CaseOutcome> {
  return evaluateCase(task, threadId);
}
