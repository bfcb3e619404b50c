import { describe, expect, it } from 'vitest';
import { NodeRegistry } from '../block/NodeRegistry.js';
import { RawNode } from '../block/RawNode.js';
import { SimEnv } from '../sim/SimEnv.js';
import { openReplication, type ReplicationOpenOptions } from './openReplication.js';
import { type ProfileRules, QEMU_7_2, V24 } from './Profile.js';
import { QemuError } from './QemuError.js';
import { ReplicationFramework } from './ReplicationFramework.js';

const MiB = 1 << 20;

function context(rules: ProfileRules = QEMU_7_2) {
  const env = new SimEnv();
  const framework = new ReplicationFramework();
  const file = new RawNode(env, 'nbd-client', MiB);
  const base: Omit<ReplicationOpenOptions, 'mode' | 'topId' | 'file'> = {
    name: 'replication0',
    rules,
    registry: new NodeRegistry(),
    framework,
    side: 'primary',
    commit: { chunkBytes: 65536, paceTicks: 0 },
    onCrash: () => undefined,
  };
  return { env, framework, file, base };
}

/** The QEMU message an open fails with; fails the test when the open succeeds or throws something else. */
function openError(rules: ProfileRules, options: { mode?: string; topId?: string; withFile?: boolean }): string {
  const { env, framework, file, base } = context(rules);
  try {
    openReplication(env, { ...base, mode: options.mode, topId: options.topId, file: options.withFile === false ? undefined : file });
  } catch (error) {
    expect(error).toBeInstanceOf(QemuError);
    expect((error as QemuError).qmpClass).toBe('GenericError');
    // A refused open never reaches the framework.
    expect(framework.nodes).toEqual([]);
    return (error as QemuError).message;
  }
  throw new Error(`open succeeded: ${JSON.stringify(options)}`);
}

describe('openReplication: option errors in QEMU order (reference §2.2)', () => {
  for (const rules of [QEMU_7_2, V24]) {
    describe(rules.name, () => {
      it('1. the file child comes first, before any mode check', () => {
        expect(openError(rules, { withFile: false })).toBe('A block device must be specified for "file"');
        expect(openError(rules, { withFile: false, mode: 'primary', topId: 'x' })).toBe('A block device must be specified for "file"');
        expect(openError(rules, { withFile: false, mode: 'bogus' })).toBe('A block device must be specified for "file"');
      });

      it('2. a missing mode, whatever else is given', () => {
        expect(openError(rules, {})).toBe('Missing the option mode');
        expect(openError(rules, { topId: 'top' })).toBe('Missing the option mode');
      });

      it('4. a secondary without top-id', () => {
        expect(openError(rules, { mode: 'secondary' })).toBe('Missing the option top-id');
      });

      it('5. any other mode string, matched case-sensitively, with or without top-id', () => {
        for (const mode of ['Primary', 'SECONDARY', 'Secondary', 'foo', '', ' primary', 'primary ']) {
          expect(openError(rules, { mode })).toBe("The option mode's value should be primary or secondary");
          expect(openError(rules, { mode, topId: 'top' })).toBe("The option mode's value should be primary or secondary");
        }
      });
    });
  }

  it('3. QEMU 7.2 rejects top-id on a primary (f4f2539bcf)', () => {
    expect(openError(QEMU_7_2, { mode: 'primary', topId: 'top' })).toBe('The primary side does not support option top-id');
    // Even an empty value counts as given.
    expect(openError(QEMU_7_2, { mode: 'primary', topId: '' })).toBe('The primary side does not support option top-id');
  });

  it('3. v24 accepted top-id on a primary silently; the node keeps no top-id', () => {
    const { env, framework, file, base } = context(V24);
    const node = openReplication(env, { ...base, mode: 'primary', topId: 'top', file });
    expect([node.mode, node.stage, node.topId]).toEqual(['primary', 'NONE', undefined]);
    expect(framework.nodes).toEqual([node]);
  });
});

describe('openReplication: a successful open', () => {
  it('builds a filter node over the file, in stage NONE with no error', () => {
    const { env, file, base } = context();
    const node = openReplication(env, { ...base, mode: 'secondary', topId: 'top-disk1', file });
    expect([node.driver, node.mode, node.stage, node.error, node.topId]).toEqual(['replication', 'secondary', 'NONE', null, 'top-disk1']);
    expect([node.isFilter, node.file, node.length, node.alignment]).toEqual([true, file, MiB, 512]);
    expect([node.backupJob, node.commitJob]).toEqual([null, null]);
  });

  it('does not validate top-id at open (only start does)', () => {
    const { env, file, base } = context();
    expect(openReplication(env, { ...base, mode: 'secondary', topId: 'no-such-node', file }).topId).toBe('no-such-node');
  });

  it('registers each node at the head of the framework: newest first', () => {
    const { env, framework, base } = context();
    const a = openReplication(env, { ...base, name: 'a', mode: 'primary', file: new RawNode(env, 'fa', MiB) });
    expect(framework.nodes).toEqual([a]);
    const b = openReplication(env, { ...base, name: 'b', mode: 'secondary', topId: 'b', file: new RawNode(env, 'fb', MiB) });
    const c = openReplication(env, { ...base, name: 'c', mode: 'primary', file: new RawNode(env, 'fc', MiB) });
    expect(framework.nodes.map((n) => n.name)).toEqual(['c', 'b', 'a']);
    expect(framework.nodes[0]).toBe(c);
    expect(framework.nodes[1]).toBe(b);
  });
});
