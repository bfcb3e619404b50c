/*
 * Reads a scenario file of the hunt's failover shape (huntScenario.ts writes them) back into the
 * writes a reproducer needs: start both, primary writes, one concurrent step of a primary-lost
 * failover followed by secondary writes, then reads (ignored: the reproducer checks every
 * acknowledged write itself). Anything else is not this shape and is refused with the step named.
 */
import type { Scenario, Step, WriteStep } from '../../scenario/Scenario.js';
import type { HuntWrite } from './HuntShape.js';

export interface FailoverShape {
  readonly diskSizeBytes: number;
  readonly primaryWrites: readonly HuntWrite[];
  readonly secondaryWrites: readonly HuntWrite[];
}

export class NotHuntShapeError extends Error {}

export function shapeFromScenario(scenario: Scenario): FailoverShape {
  if (scenario.disks !== 1 || scenario.chain !== 'standard') throw new NotHuntShapeError('the reproducer takes one disk and the standard chain');
  if (scenario.disk.pattern !== 0) throw new NotHuntShapeError('the reproducer takes a disk of pattern 0 (sparse images)');
  if (scenario.engine.faults.length > 0) throw new NotHuntShapeError('the reproducer injects no faults; the scenario has some');
  const steps = scenario.steps;
  const first = steps[0];
  if (first?.do !== 'start' || first.side !== 'both' || first.mode !== undefined) throw refuse(0, first, 'the first step must be start both');
  const primaryWrites: HuntWrite[] = [];
  let i = 1;
  for (; i < steps.length && steps[i]!.do === 'write'; i++) primaryWrites.push(plainWrite(i, steps[i]!, 'primary'));
  const race = steps[i];
  if (race?.do !== 'concurrent') throw refuse(i, race, 'after the primary writes comes one concurrent step: failover, then secondary writes');
  const [failover, ...rest] = race.steps;
  if (failover?.do !== 'failover' || (failover.lost ?? 'primary') !== 'primary') throw refuse(i, race, 'the concurrent step must begin with a failover that loses the primary');
  const secondaryWrites = rest.map((s) => plainWrite(i, s, 'secondary'));
  for (let j = i + 1; j < steps.length; j++) if (steps[j]!.do !== 'read') throw refuse(j, steps[j], 'only reads may follow the failover');
  return { diskSizeBytes: scenario.disk.size, primaryWrites, secondaryWrites };
}

function plainWrite(index: number, step: Step, vm: 'primary' | 'secondary'): HuntWrite {
  const w = step as WriteStep;
  if (step.do !== 'write' || w.vm !== vm || (w.disk ?? 0) !== 0 || (w.node ?? 'vm') !== 'vm') throw refuse(index, step, `expected a write by the ${vm} VM to its own disk`);
  return { offset: w.offset, length: w.length, pattern: w.pattern };
}

function refuse(index: number, step: Step | undefined, why: string): NotHuntShapeError {
  return new NotHuntShapeError(`step ${index} (${step?.do ?? 'missing'}) is not the failover shape: ${why}`);
}
