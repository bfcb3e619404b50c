import { describe, expect, it } from 'vitest';
import { quorumWriteAnswer } from './quorumVote.js';

describe("COLO's quorum vote on a write (vote-threshold 1)", () => {
  it('succeeds when any child succeeded', () => {
    expect(quorumWriteAnswer(['ok', 'EIO'])).toBe('ok');
    expect(quorumWriteAnswer(['ENOSPC', 'ok'])).toBe('ok');
    expect(quorumWriteAnswer(['ok'])).toBe('ok');
  });

  it('lets the latest child win a tie of errors (quorum_vote_error inserts each new value at the head)', () => {
    expect(quorumWriteAnswer(['ENOSPC', 'EIO'])).toBe('EIO');
    expect(quorumWriteAnswer(['EIO', 'ENOSPC'])).toBe('ENOSPC');
  });

  it('lets the errno most children share win, and fails with EIO when no child is left', () => {
    expect(quorumWriteAnswer(['ENOSPC', 'EIO', 'ENOSPC'])).toBe('ENOSPC');
    expect(quorumWriteAnswer([])).toBe('EIO');
  });

  it('needs `threshold` successes', () => {
    expect(quorumWriteAnswer(['ok', 'EIO'], 2)).toBe('EIO');
    expect(quorumWriteAnswer(['ok', 'ok'], 2)).toBe('ok');
  });
});
