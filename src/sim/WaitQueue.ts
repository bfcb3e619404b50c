/*
 * A condition a task can wait on (an overlapping request to finish, a job to be cancelled). Waking
 * goes through the scheduler: woken waiters become ready entries, so the policy decides who runs
 * first. Waiters are named, so a deadlock report says what waits on what.
 */
import type { Scheduler } from './Scheduler.js';

interface Waiter {
  readonly token: number;
  readonly label: string;
  readonly resolve: () => void;
}

export class WaitQueue {
  private waiters: Waiter[] = [];

  constructor(
    private readonly sched: Scheduler,
    readonly name: string,
  ) {}

  get size(): number {
    return this.waiters.length;
  }

  /** Wait until the next wakeAll. `who` names the waiter for deadlock reports. */
  wait(who: string): Promise<void> {
    return new Promise((resolve) => {
      const token = this.sched.block(`${who} waits for ${this.name}`);
      this.waiters.push({ token, label: `wake:${who}`, resolve });
    });
  }

  wakeAll(): void {
    const waiters = this.waiters;
    if (waiters.length === 0) return;
    this.waiters = [];
    for (const w of waiters) this.sched.unblock(w.token, w.label, w.resolve);
  }
}
