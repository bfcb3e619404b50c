/*
 * XState's pure `transition(machine, snapshot, event)`, without the actor it builds on every call.
 * `transition` makes an inert actor scope each time, and the Actor behind it computes the machine's
 * initial snapshot at once; for the pair chart, whose steps apply the node chart's transitions, that
 * was most of the cost of a chart answer. The charts here spawn, invoke and send nothing, and the
 * actions a macrostep would execute are discarded as `transition` discards them, so one inert scope
 * per machine serves every call: the next snapshot is the one `transition` returns.
 */
import { type ActorScope, type AnyActorScope, type AnyMachineSnapshot, type AnyStateMachine, type EventObject, createActor } from 'xstate';

const scopes = new WeakMap<AnyStateMachine, AnyActorScope>();

function inertScope(machine: AnyStateMachine): AnyActorScope {
  let scope = scopes.get(machine);
  if (scope === undefined) {
    const self = createActor(machine);
    const inert: ActorScope<AnyMachineSnapshot, EventObject> = {
      self,
      id: '',
      sessionId: '',
      logger: () => {},
      defer: () => {},
      system: self.system,
      stopChild: () => {},
      emit: () => {},
      actionExecutor: () => {},
    };
    scope = inert as unknown as AnyActorScope;
    scopes.set(machine, scope);
  }
  return scope;
}

/** The machine's next snapshot after `event` (the actions it would run are not run). */
export function pureTransition<S extends AnyMachineSnapshot>(machine: AnyStateMachine, snapshot: S, event: EventObject): S {
  return machine.transition(snapshot, event, inertScope(machine)) as S;
}
