// A case worker that runs no case: it answers with its thread's heap size limit (old and young
// generation together), so the pool test can see that the pool's young-generation limit reaches it.
import { getHeapStatistics } from 'node:v8';

export default function heapSizeLimit(batch) {
  return batch.cases.map((ref) => ({ index: ref.index, heapSizeLimit: getHeapStatistics().heap_size_limit }));
}
