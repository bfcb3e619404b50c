// A case worker that dies under case 7 (the thread exits, as it would out of memory) and runs
// every other case normally: the campaign tests use it to see that a dead worker is reported.
import { register } from 'tsx/esm/api';

register();
const { default: runCaseTask } = await import('./caseWorker.ts');

export default function dieUnderCase7(task) {
  if (task.index === 7) process.exit(9);
  return runCaseTask(task);
}
