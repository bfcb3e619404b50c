// A case worker that dies under case 7 (the thread exits, as it would out of memory) after running
// the cases before it in its batch, and runs every other case normally: the campaign tests use it
// to see that a dead worker is reported, and only for the case it died under.
import { threadId } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
const { batchTask, evaluateCase } = await import('./evaluateCase.ts');

export default async function dieUnderCase7(batch) {
  const outcomes = [];
  for (const ref of batch.cases) {
    if (ref.index === 7) process.exit(9);
    outcomes.push(await evaluateCase(batchTask(batch, ref), threadId));
  }
  return outcomes;
}
