/**
 * When a cycle lists the source's contact groups (see `known-groups.ts`): before a full listing,
 * and before an incremental page or a retry that names a group the account does not know.
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
