import type { DeletionHold } from '@contacts/core';

/**
 * Deletions the deletion guard holds, as the status tools and `contacts status` report them:
 * `count` of the account's `of` linked contacts, from which listing, and a `message` saying why
 * and how to confirm.
 *
 * @example
 * ```ts
 * const held: HeldDeletionsReport | null = (await readSyncStatus(options)).held_deletions;
 * if (held) console.warn(held.message);
 * ```
 */
export interface HeldDeletionsReport {
  mode: 'full' | 'incremental';
  count: number;
  of: number;
  listed_at: string;
  message: string;
}

/**
 * The report of a hold, or null. The message names the tool argument and the command flag that
 * confirm it, and the full sync that clears it when the listing was wrong.
 *
 * @example
 * ```ts
 * heldDeletionsReport(state.deletionHold, 'google', 'default')?.message;
 * // 'A full listing of google (default) at 2026-01-01T00:00:00.000Z did not show 500 of its 500 linked contacts. ...'
 * ```
 */
export function heldDeletionsReport(
  hold: DeletionHold | null,
  provider: string,
  accountId: string,
): HeldDeletionsReport | null {
  if (!hold) return null;
  const where = `${provider} (${accountId})`;
  const at = hold.listedAt.toISOString();
  const what =
    hold.mode === 'full'
      ? `A full listing of ${where} at ${at} did not show ${hold.count} of its ${hold.of} linked contacts.`
      : `An incremental listing of ${where} at ${at} said ${hold.count} of its ${hold.of} linked contacts were deleted.`;
  const message =
    `${what} They were not marked deleted: that many deletions at once are more often a fault at the source than a wish. ` +
    'If they were deleted there, confirm with contacts_sync_now { confirm_deletions: true } or `contacts sync --confirm-deletions`; ' +
    'if not, a full sync that lists them again (contacts_sync_now { mode: "full" } or `contacts sync --full`) clears this.';
  return { mode: hold.mode, count: hold.count, of: hold.of, listed_at: at, message };
}
