import type { Clock } from '@contacts/core';
import type { Timers } from '../runtime/timers.js';

/** A clock tests move by hand. */
export class ManualClock implements Clock {
  #now: number;
  constructor(start = Date.parse('2026-03-01T08:00:00Z')) {
    this.#now = start;
  }
  now(): Date {
    return new Date(this.#now);
  }
  set(ms: number): void {
    this.#now = ms;
  }
  advance(ms: number): void {
    this.#now += ms;
  }
}

interface Entry {
  id: number;
  at: number;
  callback: () => unknown;
}

/**
 * Timers on a {@link ManualClock}: nothing fires until `advance`, which fires due timers in time
 * order, moving the clock to each one and awaiting what the callback returns (the runtime's tick).
 */
export class ManualTimers implements Timers {
  readonly #clock: ManualClock;
  #entries: Entry[] = [];
  #nextId = 1;
  /** Awaited after every fired timer, e.g. `() => runtime.whenIdle()`. */
  settle: () => Promise<void> = async () => {};

  constructor(clock: ManualClock) {
    this.#clock = clock;
  }

  setTimeout(callback: () => void, ms: number): unknown {
    const id = this.#nextId++;
    this.#entries.push({ id, at: this.#clock.now().getTime() + ms, callback });
    return id;
  }

  clearTimeout(handle: unknown): void {
    this.#entries = this.#entries.filter((e) => e.id !== handle);
  }

  /** Milliseconds until the next timer, or null when none is pending. */
  nextDelay(): number | null {
    const next = this.#earliest();
    return next ? next.at - this.#clock.now().getTime() : null;
  }

  get pendingCount(): number {
    return this.#entries.length;
  }

  /** Moves time forward by `ms`, firing every timer that comes due on the way. */
  async advance(ms: number): Promise<void> {
    const end = this.#clock.now().getTime() + ms;
    for (;;) {
      const next = this.#earliest();
      if (!next || next.at > end) break;
      await this.#fire(next);
    }
    this.#clock.set(Math.max(end, this.#clock.now().getTime()));
  }

  /** Jumps to the next timer and fires it; returns the delay it had, or null when none. */
  async runNext(): Promise<number | null> {
    const next = this.#earliest();
    if (!next) return null;
    const delay = next.at - this.#clock.now().getTime();
    await this.#fire(next);
    return delay;
  }

  async #fire(entry: Entry): Promise<void> {
    this.#entries = this.#entries.filter((e) => e.id !== entry.id);
    this.#clock.set(Math.max(entry.at, this.#clock.now().getTime()));
    await entry.callback();
    await this.settle();
  }

  #earliest(): Entry | undefined {
    return [...this.#entries].sort((a, b) => a.at - b.at || a.id - b.id)[0];
  }
}
