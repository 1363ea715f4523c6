/**
 * When a cycle lists the source's contact groups (see `known-groups.ts`): before a full listing,
 * and before an incremental page or a retry that names a group the account does not know; and
 * storing what a retry listed, which no page commit follows.
 */
import type { CycleContext } from './cycle-context.js';

/**
 * Lists the groups when `contacts` (a page of a `kind` listing) need it, and hands what is known
 * to the engine.
 *
 * @throws ProviderError from the provider's `listGroups` (or its deadline).
 * @example
 * ```ts
 * await listGroupsIfNeeded(cycle, 'incremental', batch.contacts); // no request when every group named is known
 * ```
 */
export async function listGroupsIfNeeded(
  cycle: CycleContext,
  kind: 'full' | 'incremental',
  contacts: readonly unknown[],
): Promise<void> {
  const { groups, provider } = cycle;
  if (!groups.needsListing(kind, contacts)) return;
  groups.listed(await cycle.call('listGroups', (signal) => provider.listGroups(signal)));
  cycle.engine.replaceGroups(groups.all());
}

/**
 * Stores the groups listed since the last page's commit (the page commit stores them with its
 * save): a retry of failed contacts lists them after the last page, and unsaved they would be
 * listed again by every later cycle. Only while the cycle still holds its lease, renewed in the
 * same transaction as with a page: a cycle that lost it no longer speaks for the account.
 *
 * @example
 * ```ts
 * await retryFailures(db, scope, engine, seen, (payloads) => listGroupsIfNeeded(cycle, 'incremental', payloads));
 * await saveListedGroups(cycle); // no write when nothing was listed
 * ```
 */
export async function saveListedGroups(cycle: CycleContext): Promise<void> {
  const groups = cycle.groups.toSave();
  if (!groups) return;
  const { providerName, accountId, lease } = cycle;
  const saved = await cycle.db.transaction(async (tx) => {
    const store = cycle.store.withDb(tx);
    if (!(await store.renewLease(providerName, accountId, lease.owner, lease.ttlMs))) return false;
    await store.save(providerName, accountId, { groups });
    return true;
  });
  if (saved) cycle.groups.saved();
}
