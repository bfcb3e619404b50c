/*
 * A read an overlay holds nothing of goes down the backing chain as it is, and the backing's buffer
 * is the answer (no copy per layer): the bytes, and the read each layer traces, must be those of a
 * read that copies, including past the end of a shorter backing and once the layer holds data.
 */
import { describe, expect, it } from 'vitest';
import { encodeRuns } from '../scenario/runs.js';
import { SimEnv } from '../sim/SimEnv.js';
import { OverlayNode } from './OverlayNode.js';
import { RawNode } from './RawNode.js';
import { filled, run } from './testing/simHelpers.js';

const KiB = 1024;
const CS = 64 * KiB;

function chain(rawSize: number) {
  const env = new SimEnv({ traceLevel: 'full' });
  const raw = new RawNode(env, 'raw', rawSize, { fill: 0xaa });
  const hidden = new OverlayNode(env, 'hidden', 8 * CS);
  hidden.attach('backing', raw);
  const active = new OverlayNode(env, 'active', 8 * CS);
  active.attach('backing', hidden);
  return { env, raw, hidden, active };
}

function reads(env: SimEnv): string[] {
  return env.trace
    .eventsOf('io')
    .filter((e) => e.fields.op === 'read')
    .map((e) => `${e.fields.node}:${e.fields.offset}+${e.fields.bytes}`);
}

describe('OverlayNode: a read of nothing but backing', () => {
  it('answers the backing chain\'s bytes, each layer tracing its read', async () => {
    const { env, raw, active } = chain(8 * CS);
    await run(env, () => raw.write(CS, filled(2 * CS, 7)));
    const data = await run(env, () => active.read(0, 4 * CS));
    expect(encodeRuns(data)).toEqual([
      [0xaa, CS],
      [7, 2 * CS],
      [0xaa, CS],
    ]);
    expect(reads(env)).toEqual(['raw:0+262144', 'hidden:0+262144', 'active:0+262144']);
  });

  it('reads zeros past a shorter backing file, and its own data once it holds some', async () => {
    const { env, hidden, active } = chain(3 * CS);
    expect(encodeRuns(await run(env, () => active.read(2 * CS, 2 * CS)))).toEqual([
      [0xaa, CS],
      [0, CS],
    ]);
    await run(env, () => hidden.write(2 * CS, filled(CS, 9)));
    expect(encodeRuns(await run(env, () => active.read(2 * CS, 2 * CS)))).toEqual([
      [9, CS],
      [0, CS],
    ]);
  });
});
