// The file a piscina worker thread loads: plain JavaScript, so Node runs it without a loader
// whether the pool was started under tsx (the CLI) or vitest; it registers tsx in this thread
// and hands piscina the TypeScript batch function. A compiled build points workerFile.ts elsewhere.
import { register } from 'tsx/esm/api';

register();
const { default: runCaseBatch } = await import('./caseWorker.ts');

export default runCaseBatch;
