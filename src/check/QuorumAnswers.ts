/*
 * What the primary VM is told about its writes: each guest write or write-zeroes entering the
 * primary's quorum is answered as COLO's quorum votes (models/colo/quorumVote.ts) on what its
 * children answered, as the quorum-write event reports them, carried back through NBD's errno set.
 * The children's own answers are the chart's and the faults' business (NodeConformance checks the
 * replication child); this checks the vote, and that it came before the answer: the quorum
 * answers once every child answered (quorum_aio_cb counts completions up to num_children), so a
 * write the VM saw succeed was voted on first, its forwarded copy finished (reference §4: the
 * secondary disk tracks the primary after every completed primary write). Limits: a request whose
 * side crashed or was lost (a coded result) is not judged; a failed answer may come without a vote
 * (a range the export refused); reads are fifo and never vote.
 */
import { type ChildAnswer, quorumWriteAnswer } from '../../models/colo/quorumVote.js';
import { throughNbd } from '../colo/nbdErrno.js';
import type { Step } from '../scenario/Scenario.js';
import type { StepResult } from '../scenario/StepResult.js';
import { isErrno } from '../sim/errno.js';
import type { TypedTraceEvent } from '../sim/TraceEvents.js';
import type { Reporter } from './Reporter.js';

interface VotedWrite {
  readonly member: number | undefined;
  readonly op: 'write' | 'write-zeroes';
  /** The children's answers in child order, once the quorum voted. */
  children?: readonly ChildAnswer[];
}

type Reply = Extract<TypedTraceEvent, { kind: 'reply' }>['fields'];

export class QuorumAnswers {
  private stepIndex = -1;
  /** This step's primary VM writes, by request id. */
  private readonly writes = new Map<number, VotedWrite>();

  constructor(private readonly report: Reporter) {}

  beginStep(index: number): void {
    this.stepIndex = index;
    // Cleared only when it holds something: clear() allocates a new table even for an empty map.
    if (this.writes.size > 0) this.writes.clear();
  }

  onEvent(event: TypedTraceEvent): void {
    if (event.kind === 'request') {
      const f = event.fields;
      if (f.step === this.stepIndex && f.vm === 'primary' && f.target === 'vm' && (f.op === 'write' || f.op === 'write-zeroes')) this.writes.set(f.req, { member: f.member, op: f.op });
      return;
    }
    if (event.kind === 'reply') return this.onReply(event.fields);
    if (event.kind !== 'quorum-write' || event.fields.req === undefined) return;
    const write = this.writes.get(event.fields.req);
    if (write) write.children = event.fields.children.split(',').map(childAnswer);
  }

  /** A primary VM write answered ok must have been voted on already. */
  private onReply(reply: Reply): void {
    const write = this.writes.get(reply.req);
    if (!write || !reply.ok) return;
    const at = `step ${this.stepIndex}${write.member === undefined ? '' : `.${write.member}`}`;
    this.report.check('conformance', write.children !== undefined, () =>
      `primary VM ${write.op} (${at}, request ${reply.req}): the VM was told it succeeded before the quorum voted; the quorum answers once every child has answered`,
    );
  }

  endStep(step: Step, result: StepResult): void {
    for (const write of this.writes.values()) {
      const answer = step.do === 'concurrent' ? result.steps?.[write.member ?? -1] : result;
      if (!write.children || !answer || answer.code !== undefined) continue;
      const vote = quorumWriteAnswer(write.children);
      const expected = vote === 'ok' ? 'ok' : throughNbd(vote);
      const actual = answer.ok ? 'ok' : (answer.errno ?? answer.error ?? 'an error');
      this.report.check('conformance', expected === actual, () =>
        `primary VM ${answer.do} (step ${this.stepIndex}${write.member === undefined ? '' : `.${write.member}`}): the quorum's children answered ${write.children!.join(', ')}, so vote-threshold 1 answers ${expected}; the VM got ${actual}`,
      );
    }
  }
}

function childAnswer(text: string): ChildAnswer {
  if (text === 'ok' || isErrno(text)) return text;
  throw new Error(`quorum-write: child answer ${text} is neither ok nor an errno`);
}
