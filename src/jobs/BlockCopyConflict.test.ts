/*
 * QEMU's block-copy conflict assertion (properties/qemu-crashes/, src/qemu/OBSERVATIONS.md): a
 * checkpoint re-dirties a cluster whose copy-before-write copy is in flight, and the next write to
 * that cluster aborts the process, where the 2016 notifier (v24) waits. A write that meets the copy
 * before the checkpoint waits for it and copies the cluster again afterwards.
 */
import { describe, expect, it } from 'vitest';
import { BlockBackend } from '../block/BlockBackend.js';
import { OverlayNode } from '../block/OverlayNode.js';
import { RawNode } from '../block/RawNode.js';
import { SimEnv } from '../sim/SimEnv.js';
import { BLOCK_COPY_CONFLICT, BackupJob } from './BackupJob.js';
import { filled } from '../block/testing/simHelpers.js';

const CS = 65536;

class Aborted extends Error {}

function chain(mechanism: 'filter' | 'notifier') {
  const env = new SimEnv({ traceLevel: 'full' });
  const secondary = new RawNode(env, 'secondary', 4 * CS, { fill: 0x11 });
  secondary.latencyTicks = 10;
  const hidden = new OverlayNode(env, 'hidden', 4 * CS);
  hidden.attach('backing', secondary);
  // The NBD export's drive: the filter goes in above the secondary disk, under it.
  const colo = new BlockBackend('colo1', secondary);
  const aborts: string[] = [];
  const job = new BackupJob(env, {
    name: 'backup',
    source: secondary,
    target: hidden,
    mechanism,
    owner: 'replication-secondary',
    onComplete: () => undefined,
    abort: (reason) => {
      aborts.push(reason);
      throw new Aborted(reason);
    },
  });
  job.start();
  return { env, colo, job, aborts };
}

/** Write A to cluster 0 (its copy takes 20 ticks), then at tick 5 `between`, then write B to cluster 0; each write's outcome. */
async function race(mechanism: 'filter' | 'notifier', between: (job: BackupJob) => void) {
  const c = chain(mechanism);
  const a = c.env.sched.spawn('A', () => c.colo.write(0, filled(512, 1)));
  const b = c.env.sched.spawn('B', async () => {
    await c.env.sched.sleep('before B', 5);
    between(c.job);
    await c.colo.write(512, filled(512, 2));
  });
  await c.env.sched.run();
  const cows = c.env.trace.events().filter((e) => e.kind === 'cow').map((e) => [e.fields.cluster, e.fields.epoch, e.fields.req]);
  return { aborts: c.aborts, a: a.outcome?.ok, b: b.outcome, cows };
}

describe('block-copy: a second copy task over one in flight', () => {
  it('after a checkpoint aborts the process with QEMU\'s assertion, naming job and cluster', async () => {
    const r = await race('filter', (job) => job.doCheckpoint());
    expect(r.aborts).toEqual([`${BLOCK_COPY_CONFLICT} (backup, cluster 0: dirtied by a checkpoint while its copy was in flight)`]);
    expect(BLOCK_COPY_CONFLICT).toBe("block_copy_task_create: Assertion `!reqlist_find_conflict(&s->reqs, offset, bytes)' failed");
    expect(r.b?.ok).toBe(false);
    expect(r.b?.error).toBeInstanceOf(Aborted);
    expect(r.a).toBe(true);
  });

  it('without a checkpoint, the second write waits for the copy and copies nothing more', async () => {
    const r = await race('filter', () => undefined);
    expect([r.aborts, r.a, r.b?.ok, r.cows]).toEqual([[], true, true, [[0, 0, undefined]]]);
  });

  it("the 2016 notifier has no such assertion: after the checkpoint the cluster is copied again, in the new epoch", async () => {
    const r = await race('notifier', (job) => job.doCheckpoint());
    expect([r.aborts, r.a, r.b?.ok, r.cows]).toEqual([[], true, true, [[0, 0, undefined], [0, 1, undefined]]]);
  });
});
