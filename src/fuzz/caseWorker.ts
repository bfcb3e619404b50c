/*
 * The piscina task a worker thread runs: a batch of campaign cases (evaluateBatch), each outcome
 * tagged with the thread's id for the progress display. Loaded through caseWorkerEntry.js, which
 * registers tsx first, or compiled (dist/).
 */
import { threadId } from 'node:worker_threads';
import { type CaseBatch, type CaseOutcome, evaluateBatch } from './evaluateCase.js';

export default function runCaseBatch(batch: CaseBatch): Promise<CaseOutcome[]> {
  return evaluateBatch(batch, threadId);
}
