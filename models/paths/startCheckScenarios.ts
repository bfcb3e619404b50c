/*
 * Scenarios for the secondary's start validation (reference §2.6): one per profile and broken
 * chain (Scenario.ts's ChainVariant), each starting the secondary on that chain and then asking
 * status, checkpoint and stop, with the replication node chart's answers as expectations. They show
 * v24's crash on a checkpoint before the secondary disk was ever linked. No retry of the start is
 * included: after "No top_bs or it is invalid", 7.2 attaches the extra children again (§9.4), an
 * outcome the reference does not give.
 */
import type { Profile, Scenario, ScenarioStep } from '../../src/scenario/Scenario.js';
import { MODEL_PROFILES } from '../replication/profiles.js';
import { CHAIN_OF_CHECK, type NodeEvent, START_CHECKS, type StartCheck } from '../replication/nodeEvents.js';
import { applyNodeEvent, openedNode } from '../replication/nodeState.js';
import { formatOutcome } from '../replication/Outcome.js';
import { GENERATED_ENGINE_SETTINGS, SCENARIO_DISK, controlExpect, statusExpect } from './pairScenarios.js';

export function startCheckScenario(profile: Profile, check: StartCheck): Scenario {
  const plan: { step: ScenarioStep; event: NodeEvent; status?: boolean }[] = [
    { step: { do: 'start', side: 'secondary' }, event: { type: 'START', mode: 'secondary', fault: { kind: 'check', check } } },
    { step: { do: 'status', side: 'secondary' }, event: { type: 'GET_ERROR' }, status: true },
    { step: { do: 'checkpoint', side: 'secondary' }, event: { type: 'CHECKPOINT' } },
    { step: { do: 'stop', side: 'secondary', failover: false }, event: { type: 'STOP', failover: false } },
  ];
  let node = openedNode('secondary', profile);
  const steps: ScenarioStep[] = [];
  for (const { step, event, status } of plan) {
    node = applyNodeEvent(node, event);
    const outcome = node.context.outcome;
    steps.push({ ...step, expect: status === true ? statusExpect(outcome) : controlExpect(outcome), note: `model: ${event.type} -> ${node.value}, ${formatOutcome(outcome)}` });
  }
  return {
    colosim: 1,
    name: `start-check-${profile}-${CHAIN_OF_CHECK[check]}`,
    description: `Generated from the replication node chart (${profile}): secondary start on the chain "${CHAIN_OF_CHECK[check]}" (§2.6), then status, checkpoint, stop`,
    disk: SCENARIO_DISK,
    chain: CHAIN_OF_CHECK[check],
    disks: 1,
    profile,
    engine: GENERATED_ENGINE_SETTINGS,
    steps,
  };
}

export function startCheckScenarios(): Scenario[] {
  return MODEL_PROFILES.flatMap((profile) => START_CHECKS.map((check) => startCheckScenario(profile, check)));
}
