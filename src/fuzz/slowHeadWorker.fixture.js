// A case worker whose case 0 does not finish until case 12 has started (it polls for the marker
// file case 12 writes, for at most 20 s, and then dies): the campaign test uses it to see that a
// slow case at the head of the order does not stop the other thread from going on with later ones.
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { register } from 'tsx/esm/api';

register();
const { default: runCaseTask } = await import('./caseWorker.ts');

export default async function slowCase0(task) {
  const marker = join(process.env.COLOSIM_SLOW_HEAD_DIR, 'case-12-started');
  if (task.index === 12) writeFileSync(marker, '');
  if (task.index === 0) {
    for (let waited = 0; !existsSync(marker); waited += 10) {
      if (waited > 20_000) process.exit(9);
      await sleep(10);
    }
  }
  return runCaseTask(task);
}
