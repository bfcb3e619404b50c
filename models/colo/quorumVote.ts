/*
 * What COLO's quorum (vote-threshold 1) answers a write, from what each child answered, as
 * block/quorum.c decides it: success when at least `threshold` children succeeded; otherwise
 * quorum_vote_error's winner, the errno most children failed with, where a value enters the vote
 * list at its head when a child first reports it and only a strictly larger count displaces the
 * leader, so a tie goes to the value the latest child reported first. Limits: writes only (fifo
 * reads never vote), errno names instead of negative numbers.
 */
import type { Errno } from '../../src/sim/errno.js';

export type ChildAnswer = Errno | 'ok';

export function quorumWriteAnswer(children: readonly ChildAnswer[], threshold = 1): ChildAnswer {
  const failures = children.filter((c): c is Errno => c !== 'ok');
  if (children.length - failures.length >= threshold) return 'ok';
  // The vote list in its order: latest first-reporter at the head.
  const list = [...new Set(failures)].reverse();
  let winner: Errno = 'EIO';
  let best = 0;
  for (const value of list) {
    const votes = failures.filter((f) => f === value).length;
    if (votes > best) [winner, best] = [value, votes];
  }
  return winner;
}
