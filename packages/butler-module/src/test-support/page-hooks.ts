import type { PageCall } from '@contacts/core/testing';

/** A promise with its resolve exposed: to hold a page until the test lets it go. */
export function deferred<T = void>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

/**
 * What a test does to the pages of a `MemoryContactsProvider` while syncs run: pass `onPage` as
 * the provider's option, then queue failures, hold a page, or check that pages never overlap.
 */
export class PageHooks {
  /** Thrown, one per page request, in order. */
  readonly failures: Error[];
  /** Awaited before a page is returned: hold it to stop a sync mid-page. */
  gate: ((call: PageCall) => Promise<void>) | null = null;
  /** The most page requests in flight at once. */
  maxActive = 0;
  #active = 0;

  constructor(...failures: Error[]) {
    this.failures = failures;
  }

  readonly onPage = async (call: PageCall): Promise<void> => {
    this.#active += 1;
    this.maxActive = Math.max(this.maxActive, this.#active);
    try {
      const failure = this.failures.shift();
      if (failure) throw failure;
      if (this.gate) await this.gate(call);
    } finally {
      this.#active -= 1;
    }
  };

  /** Holds the next page until `release()`; `reached` resolves once it is held. */
  holdNextPage(): { reached: Promise<void>; release: () => void } {
    const reached = deferred();
    const release = deferred();
    this.gate = async () => {
      this.gate = null;
      reached.resolve();
      await release.promise;
    };
    return { reached: reached.promise, release: () => release.resolve() };
  }
}
