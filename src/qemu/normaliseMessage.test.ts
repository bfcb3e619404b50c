import { describe, expect, it } from 'vitest';
import { normaliseMessage } from './normaliseMessage.js';

describe('normaliseMessage', () => {
  it('rewrites paths under the run directories to basenames', () => {
    expect(normaliseMessage('Failed to empty /tmp/colosim-run-ab/active0.qcow2: Input/output error', ['/tmp/colosim-run-ab'])).toBe(
      'Failed to empty active0.qcow2: Input/output error',
    );
  });

  it("replaces a json: pseudo-filename by the node's own image, not its backing file", () => {
    const json =
      'json:{"backing": {"driver": "raw", "file": {"driver": "file", "filename": "/r/secondary0.raw"}}, "driver": "qcow2", "file": {"image": {"driver": "file", "filename": "/r/hidden0.qcow2"}, "driver": "blkdebug", "inject-error.0.event": "none"}}';
    expect(normaliseMessage(`Failed to empty ${json}: No space left on device`, ['/r'])).toBe('Failed to empty hidden0.qcow2: No space left on device');
  });

  it('leaves other messages unchanged', () => {
    expect(normaliseMessage('Block replication is not running', ['/tmp/x'])).toBe('Block replication is not running');
  });
});
