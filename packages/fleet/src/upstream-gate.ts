/**
 * A held slot of an upstream's concurrency cap; released when the sync ends (and lapses by itself
 * after its lease when the holder dies, in a gate that stores slots).
 *
 * @example
 * ```ts
 * const taken = await gate.tryAcquire('google:3f9a…', 'worker-1:job-42');
 * if ('slot' in taken) try { await sync(); } finally { await taken.slot.release(); }
 * ```
 */
export interface UpstreamSlot {
  release(): Promise<void>;
}

/**
 * What {@link UpstreamGate.tryAcquire} answers: a slot, or the time to try again (the upstream is
 * paused after a project-wide 429, or all its slots are taken).
 *
 * @example
 * ```ts
 * const taken: UpstreamAcquire = { retryAt: new Date(Date.now() + 5_000), reason: 'full' };
 * ```
 */
export type UpstreamAcquire = { slot: UpstreamSlot } | { retryAt: Date; reason: 'paused' | 'full' };

/**
 * Caps concurrent syncs per upstream (a Google OAuth client, a CardDAV host), across workers, and
 * pauses one upstream when it answers a project-wide 429, so the other upstreams' jobs go on.
 * Upstream keys come from `descriptorUpstream` (`@contacts/core`).
 *
 * @example
 * ```ts
 * const gate: UpstreamGate = unlimitedUpstreamGate;
 * await gate.pause('google:3f9a…', new Date(Date.now() + 60_000));
 * ```
 */
export interface UpstreamGate {
  tryAcquire(upstream: string, owner: string): Promise<UpstreamAcquire>;
  /** Pauses `upstream` until `until` (a later pause extends it, an earlier one does not shorten it). */
  pause(upstream: string, until: Date): Promise<void>;
}

/**
 * The gate without caps or pauses: every acquire succeeds. The default of a worker given none.
 *
 * @example
 * ```ts
 * startSyncWorker({ ...options, gate: unlimitedUpstreamGate });
 * ```
 */
export const unlimitedUpstreamGate: UpstreamGate = {
  tryAcquire: async () => ({ slot: { release: async () => {} } }),
  pause: async () => {},
};
