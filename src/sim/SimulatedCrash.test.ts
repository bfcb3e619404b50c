import { describe, expect, it } from 'vitest';
import { SimulatedCrash, parseCrashMessage } from './SimulatedCrash.js';

describe('parseCrashMessage', () => {
  it("reads back a crash's side and reason from its message, newlines and colons included", () => {
    const crash = new SimulatedCrash('secondary', 'NULL dereference: s->secondary_disk\nin secondary_do_checkpoint');
    expect(crash.message).toBe('the secondary side crashed: NULL dereference: s->secondary_disk\nin secondary_do_checkpoint');
    expect(parseCrashMessage(crash.message)).toEqual({ side: 'secondary', reason: 'NULL dereference: s->secondary_disk\nin secondary_do_checkpoint' });
    expect(parseCrashMessage(new SimulatedCrash('primary', '').message)).toEqual({ side: 'primary', reason: '' });
  });

  it('is null for any other message', () => {
    expect(parseCrashMessage('Replication is not running')).toBeNull();
    expect(parseCrashMessage('the tertiary side crashed: x')).toBeNull();
    expect(parseCrashMessage('colosim: the primary side crashed: x')).toBeNull();
    expect(parseCrashMessage('the primary side crashed x')).toBeNull();
  });
});
