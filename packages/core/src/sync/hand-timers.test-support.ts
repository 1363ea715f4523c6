import type { CycleTimers } from './call-deadline.js';

/**
 * Test support: timers that fire only when the test says so, for the cycle's watchdog. Not part
 * of the package.
 */
export class HandTimers implements CycleTimers {
  readonly #pending = new Map<number, { callback: () => void; ms: number }>();
  #next = 1;
  /** Resolves when a timer is set: the call under watch has started. */
  #waiters: (() => void)[] = [];

  setTimeout(callback: () => void, ms: number): unknown {
    const id = this.#next++;
    this.#pending.set(id, { callback, ms });
    for (const waiter of this.#waiters.splice(0)) waiter();
    return id;
  }

  clearTimeout(handle: unknown): void {
    this.#pending.delete(handle as number);
  }

  /** The delays of the timers waiting now. */
  get waiting(): number[] {
    return [...this.#pending.values()].map((t) => t.ms);
  }

  /** Resolves once at least `count` timers wait. */
  async whenWaiting(count = 1): Promise<void> {
    while (this.#pending.size < count) await new Promise<void>((resolve) => this.#waiters.push(resolve));
  }

  /** Fires every waiting timer. */
  fireAll(): void {
    const due = [...this.#pending.entries()];
    this.#pending.clear();
    for (const [, timer] of due) timer.callback();
  }
}
