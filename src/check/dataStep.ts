/*
 * The guest operations as the data model knows them: it models writes and reads. A write-zeroes
 * leaves the bytes a write of zeros leaves (QEMU's replication and the fallback of the block layer
 * write a buffer of zeros; quorum passes the zero write to each child). A discard (dropped:
 * discard=ignore) and a flush change no byte, so they reach the model as reads of no bytes, which
 * it has nothing to check for. The chart checks see the real steps through the trace. A write-zeroes
 * keeps a mark (`zeroes`, isZeroes): after a failed padding read QEMU leaves its first and last
 * sectors unzeroed, where a write of zeros would have its bytes.
 */
import type { Step } from '../scenario/Scenario.js';
import { compact } from '../util/FieldReader.js';

export function asDataStep(step: Step): Step {
  switch (step.do) {
    case 'concurrent':
      return step.steps.some(isNewGuestOp) ? { do: 'concurrent', steps: step.steps.map(asDataStep) } : step;
    case 'write-zeroes':
      return compact({ do: 'write', vm: step.vm, offset: step.offset, length: step.length, pattern: 0, disk: step.disk, node: step.node, zeroes: true });
    case 'discard':
    case 'flush':
      return compact({ do: 'read', vm: step.vm, offset: 0, length: 0, disk: step.disk, node: step.node });
    default:
      return step;
  }
}

function isNewGuestOp(step: Step): boolean {
  return step.do === 'write-zeroes' || step.do === 'discard' || step.do === 'flush';
}

/** Whether a data step's write came from a write-zeroes (asDataStep marks it). */
export function isZeroes(step: Step): boolean {
  return (step as { readonly zeroes?: boolean }).zeroes === true;
}
