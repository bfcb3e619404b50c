// A case worker whose case 0 does not finish until case 12 has started (it polls for the marker
// file case 12 writes, for at most 20 s, and then dies): the campaign test uses it to see that a
// slow case at the head of the order does not stop the other thread from going on with later ones.
// Case 12 must be in another batch than case 0 (CASES_PER_TASK <= 12).
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { threadId } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
const { batchTask, evaluateCase } = await import('./evaluateCase.ts');

export default async function slowCase0(batch) {
  const marker = join(process.env.COLOSIM_SLOW_HEAD_DIR, 'case-12-started');
  const outcomes = [];
  for (const ref of batch.cases) {
    if (ref.index === 12) writeFileSync(marker, '');
    if (ref.index === 0) {
      for (let waited = 0; !existsSync(marker); waited += 10) {
        if (waited > 20_000) process.exit(9);
        await sleep(10);
      }
    }
    outcomes.push(await evaluateCase(batchTask(batch, ref), threadId));
  }
  return outcomes;
}
