// A case worker that runs no case: it answers with the size of its thread's new space as V8 set it
// up, so the pool test can see that the pool's young-generation settings reach its workers.
import { getHeapSpaceStatistics } from 'node:v8';

export default function newSpaceSize(batch) {
  const newSpace = getHeapSpaceStatistics().find((space) => space.space_name === 'new_space');
  return batch.cases.map((ref) => ({ index: ref.index, newSpaceBytes: newSpace?.space_size }));
}
