/**
 * One cycle per account at a time, across processes and hosts: the lease in
 * `contacts_sync_state`, taken at the start of a cycle.
 */
import { CoreError } from '../errors.js';
import type { Logger } from '../util/logger.js';
import { holderIsDeadHere, type LeaseIdentity } from './lease-owner.js';
import type { ContactsSyncStateStore } from './sync-state-store.js';

/**
 * Takes the account's lease; when another holds it, takes it over only from a process of this
 * machine that no longer runs (killed mid-sync: its lease would otherwise block for the TTL).
 *
 * @throws CoreError `SYNC_IN_PROGRESS` when a live cycle holds it.
 * @example
 * ```ts
 * await takeLease(store, { provider: 'google', accountId: 'default', owner, ttlMs: 600_000, identity, logger });
 * ```
 */
export async function takeLease(
  store: ContactsSyncStateStore,
  lease: {
    provider: string;
    accountId: string;
    owner: string;
    ttlMs: number;
    identity: LeaseIdentity;
    logger: Logger;
  },
): Promise<void> {
  const { provider, accountId, owner, ttlMs } = lease;
  if (await store.acquireLease(provider, accountId, owner, ttlMs)) return;
  const holder = await store.leaseHolder(provider, accountId);
  if (holder && holderIsDeadHere(holder, lease.identity)) {
    if (await store.takeOverLease(provider, accountId, holder, owner, ttlMs)) {
      lease.logger.warn('contacts_sync_lease_taken_over', {
        provider,
        account_id: accountId,
        reason: 'holder process is gone',
      });
      return;
    }
  }
  throw new CoreError(
    'SYNC_IN_PROGRESS',
    `A sync of ${provider} (${accountId}) is already running elsewhere; try again when it has finished.`,
  );
}
