import {
  type CanonicalGroup,
  type ContactBatch,
  ContactsProvider,
  type FullSyncRequest,
  type IncrementalSyncRequest,
  type ListingLimits,
} from '@contacts/core';

/**
 * A provider that forwards every call to `inner` and adds up the time spent waiting for it: the
 * HTTP round trips, the Google client's parsing and the provider's normalisation. The rest of a
 * cycle's wall time is the engine and the database.
 *
 * @example
 * ```ts
 * const timed = new TimedProvider(new GoogleContactsProvider(options));
 * await runSyncCycle({ db, butlerSchema, provider: timed, accountId: 'default' });
 * timed.elapsedMs; // 412.5
 * ```
 */
export class TimedProvider extends ContactsProvider {
  /** Milliseconds spent inside the inner provider since the last `reset()`. */
  elapsedMs = 0;
  readonly #inner: ContactsProvider;

  constructor(inner: ContactsProvider) {
    super();
    this.#inner = inner;
  }

  /** Starts again from zero. */
  reset(): void {
    this.elapsedMs = 0;
  }

  async #time<T>(call: () => Promise<T>): Promise<T> {
    const started = performance.now();
    try {
      return await call();
    } finally {
      this.elapsedMs += performance.now() - started;
    }
  }

  name(): string {
    return this.#inner.name();
  }

  validateCredentials(): Promise<void> {
    return this.#time(() => this.#inner.validateCredentials());
  }

  fullSync(request: FullSyncRequest): Promise<ContactBatch> {
    return this.#time(() => this.#inner.fullSync(request));
  }

  incrementalSync(request: IncrementalSyncRequest): Promise<ContactBatch> {
    return this.#time(() => this.#inner.incrementalSync(request));
  }

  listGroups(signal?: AbortSignal): Promise<CanonicalGroup[]> {
    return this.#time(() => this.#inner.listGroups(signal));
  }

  override listingLimits(): ListingLimits {
    return this.#inner.listingLimits();
  }

  override close(): Promise<void> {
    return this.#inner.close();
  }
}
