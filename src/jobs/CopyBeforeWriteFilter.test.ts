// The copy-before-write filter on its own, with a job that only records what it is asked: every
// write and zero write waits for the job's copy of its range before it goes below, as the same
// kind of request with its guest request id; reads and block status pass straight through; the
// filter holds the target as its "target" child and is byte-granular.
import { describe, expect, it } from 'vitest';
import { RawNode } from '../block/RawNode.js';
import { encodeRuns } from '../scenario/runs.js';
import { SimEnv } from '../sim/SimEnv.js';
import { filled, run } from '../block/testing/simHelpers.js';
import { type CopyBeforeWrite, CopyBeforeWriteFilter } from './CopyBeforeWriteFilter.js';

const SIZE = 64 * 1024;

/** A job whose copy takes `copyTicks` and logs the range and request, and what the disk's sectors there held meanwhile. */
class RecordingJob implements CopyBeforeWrite {
  readonly log: string[] = [];
  constructor(
    private readonly env: SimEnv,
    private readonly disk: RawNode,
    private readonly copyTicks: number,
  ) {}

  async copyBeforeWrite(offset: number, bytes: number, requestId?: number): Promise<void> {
    const start = Math.floor(offset / 512) * 512;
    const end = Math.ceil((offset + bytes) / 512) * 512;
    this.log.push(`copy ${offset}+${bytes} req ${requestId} sees ${encodeRuns(this.disk.peek(start, end - start)).join(';')}`);
    await this.env.sched.sleep('copy', this.copyTicks);
    this.log.push(`copied at ${this.env.sched.now()}`);
  }
}

function filterOver(copyTicks = 5) {
  const env = new SimEnv({ traceLevel: 'full' });
  const disk = new RawNode(env, 'secondary', SIZE, { fill: 0 });
  const hidden = new RawNode(env, 'hidden', SIZE, { fill: 0 });
  const job = new RecordingJob(env, disk, copyTicks);
  const filter = new CopyBeforeWriteFilter(env, 'cbw', job, hidden);
  filter.attach('file', disk);
  const belowIo = () =>
    env.trace
      .eventsOf('io')
      .filter((e) => e.fields.node === 'secondary')
      .map((e) => `${e.fields.op} ${e.fields.offset}+${e.fields.bytes} req ${e.fields.req} at ${e.tick}`);
  return { env, disk, hidden, job, filter, belowIo };
}

describe('CopyBeforeWriteFilter', () => {
  it('is a byte-granular filter named copy-before-write, holding the target as its target child, as long as its file', () => {
    const f = filterOver();
    expect([f.filter.driver, f.filter.isFilter, f.filter.length]).toEqual(['copy-before-write', true, SIZE]);
    expect([...f.hidden.parents].map((edge) => `${edge.parent.name}:${edge.role}`)).toEqual(['cbw:target']);
    expect([...f.disk.parents].map((edge) => `${edge.parent.name}:${edge.role}`)).toEqual(['cbw:file']);
  });

  it('without a target it holds no target child', () => {
    const env = new SimEnv();
    const hidden = new RawNode(env, 'hidden', SIZE);
    const filter = new CopyBeforeWriteFilter(env, 'cbw', { copyBeforeWrite: async () => undefined });
    expect([...hidden.parents]).toEqual([]);
    filter.attach('target', hidden);
    expect([...hidden.parents].map((edge) => edge.role)).toEqual(['target']);
  });

  it('a write goes below only after the job copied its range, unpadded by the filter, with its request id', async () => {
    const f = filterOver();
    await run(f.env, () => f.filter.write(100, filled(7, 0xab), { requestId: 42 }));
    // The job sees the write's own bytes, not a sector: the filter does not pad (the raw disk below does).
    expect(f.job.log).toEqual(['copy 100+7 req 42 sees 0,512', 'copied at 5']);
    expect(f.belowIo()).toEqual(['read 0+512 req 42 at 5', 'write 0+512 req 42 at 5']);
    expect(encodeRuns(f.disk.peek(0, 512))).toEqual([
      [0, 100],
      [0xab, 7],
      [0, 405],
    ]);
  });

  it('a zero write goes below as a zero write, after the copy, with its request id', async () => {
    const f = filterOver();
    await run(f.env, () => f.disk.write(0, filled(4096, 0x5c)));
    await run(f.env, () => f.filter.writeZeroes(512, 1024, { requestId: 7 }));
    expect(f.job.log).toEqual(['copy 512+1024 req 7 sees 92,1024', 'copied at 5']);
    expect(f.belowIo()).toEqual(['write 0+4096 req undefined at 0', 'write-zeroes 512+1024 req 7 at 5']);
    expect(encodeRuns(f.disk.peek(0, 4096))).toEqual([
      [0x5c, 512],
      [0, 1024],
      [0x5c, 2560],
    ]);
  });

  it('a read passes straight through with its request id and asks the job for nothing', async () => {
    const f = filterOver();
    await run(f.env, () => f.disk.write(512, filled(512, 0x33)));
    const data = await run(f.env, () => f.filter.read(1000, 48, { requestId: 9 }));
    expect(encodeRuns(data)).toEqual([
      [0x33, 24],
      [0, 24],
    ]);
    expect(f.job.log).toEqual([]);
    expect(f.belowIo()).toEqual(['write 512+512 req undefined at 0', 'read 512+1024 req 9 at 0']);
  });

  it("block status is the file's: a zero run, then the written data", async () => {
    const f = filterOver();
    await run(f.env, () => f.disk.write(4096, filled(4096, 1)));
    expect(await run(f.env, () => f.filter.blockStatus(0, 8192))).toEqual({ kind: 'zero', bytes: 4096 });
    expect(await run(f.env, () => f.filter.blockStatus(4096, 8192))).toEqual({ kind: 'data', bytes: 4096 });
  });

  it('a write keeps the file child it entered with, even when the filter loses it during the copy', async () => {
    const f = filterOver(10);
    const write = f.env.sched.spawn('write', () => f.filter.write(0, filled(512, 0xee), { requestId: 1 }));
    f.env.sched.spawn('drop', async () => {
      await f.env.sched.sleep('drop', 3);
      f.filter.detach('file');
    });
    await f.env.sched.run();
    write.result();
    expect(f.filter.file === null).toBe(true);
    expect(f.belowIo()).toEqual(['write 0+512 req 1 at 10']);
    expect(encodeRuns(f.disk.peek(0, 512))).toEqual([[0xee, 512]]);
  });

  it('a request without a file child fails with its name', async () => {
    const env = new SimEnv();
    const filter = new CopyBeforeWriteFilter(env, 'cbw', { copyBeforeWrite: async () => undefined });
    expect(() => filter.length).toThrow(new Error('cbw has no file child'));
  });
});
