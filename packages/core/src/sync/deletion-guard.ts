/**
 * When one listing's deletions are too many to apply without a person's word. A listing that
 * would mark deleted every linked contact of an account (a non-empty book emptied, as vdirsyncer
 * refuses unless forced), or more than `maxPercent` of them in a book of at least `minContacts`,
 * is held: nothing is tombstoned until a person confirms.
 *
 * @example
 * ```ts
 * const guard: DeletionGuard = { maxPercent: 20, minContacts: 25 };
 * ```
 */
export interface DeletionGuard {
  /** Share of the linked contacts, in percent (1 to 100), one listing may delete (100: no share rule). */
  maxPercent: number;
  /** Books smaller than this are only guarded against losing every contact at once. */
  minContacts: number;
}

/**
 * The guard's defaults, after Android's early sync adapters, which refused a sync deleting more
 * than 5 entries and more than 20% of them (`TempProviderSyncAdapter.hasTooManyDeletions`): at 25
 * contacts, 20% is 5, so the smallest held share-based deletion is 6 of 25, and a larger book is
 * held from more than a fifth of it. Smaller books only lose nothing all at once.
 *
 * @example
 * ```ts
 * const guard = { ...DEFAULT_DELETION_GUARD, ...config };
 * ```
 */
export const DEFAULT_DELETION_GUARD: Readonly<DeletionGuard> = Object.freeze({
  maxPercent: 20,
  minContacts: 25,
});

/**
 * Whether deleting `count` of an account's `of` linked contacts in one listing needs a person's
 * confirmation.
 *
 * @example
 * ```ts
 * holdsDeletions(DEFAULT_DELETION_GUARD, 500, 500); // true: every contact
 * holdsDeletions(DEFAULT_DELETION_GUARD, 3, 10); // false: a small book, not all of it
 * holdsDeletions(DEFAULT_DELETION_GUARD, 30, 100); // true: more than 20%
 * ```
 */
export function holdsDeletions(guard: DeletionGuard, count: number, of: number): boolean {
  if (count <= 0 || of <= 0) return false;
  if (count >= of) return true;
  return of >= guard.minContacts && count * 100 > guard.maxPercent * of;
}

/**
 * Deletions the guard held, as the sync state keeps them (without their ids) and the status shows
 * them: `count` of the account's `of` linked contacts, from the listing at `listedAt`.
 *
 * @example
 * ```ts
 * const hold: DeletionHold | null = (await store.load('google', 'default')).deletionHold;
 * if (hold) console.log(`${hold.count} of ${hold.of} deletions wait for a confirmation`);
 * ```
 */
export interface DeletionHold {
  /** The listing that would have deleted them: a full one (not seen) or an incremental one (told). */
  mode: 'full' | 'incremental';
  count: number;
  of: number;
  listedAt: Date;
}
