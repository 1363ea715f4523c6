import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { listSources } from '../status/source-list.js';
import { requireEnvironment } from './require-environment.js';
import { accountIdInput, heldDeletionsSchema, isoTimestamp, providerInput, toolInput } from './schemas.js';
import { selectSource } from './select-source.js';
import { type ContactsToolContext, environmentSources, statusOptions } from './tool-context.js';
import { toolResult } from './tool-result.js';

export const sourceListInput = (providers: readonly string[]) =>
  toolInput('contacts_source_list', { provider: providerInput(providers), account_id: accountIdInput });

export const sourceListOutput = z.object({
  sources: z.array(
    z.object({
      provider: z.string(),
      account_id: z.string(),
      sync_enabled: z.boolean(),
      status: z
        .enum(['active', 'error', 'auth_error', 'deletions_held', 'never_synced', 'sync_disabled'])
        .describe(
          'active: syncing fine; error: the last sync failed (retried with backoff); auth_error: the credentials were refused, reconnect through the dashboard OAuth flow; deletions_held: syncing, but deletions wait for the user to confirm them (see held_deletions); never_synced: no sync has completed yet; sync_disabled: not synced by this butler.',
        ),
      last_success_at: isoTimestamp,
      last_error: z.string().nullable(),
      held_deletions: heldDeletionsSchema,
    }),
  ),
});

/**
 * Registers `contacts_source_list`: the connected source accounts and the health of each.
 *
 * @example
 * ```ts
 * registerSourceListTool(server, () => environment);
 * ```
 */
export function registerSourceListTool(
  server: McpServer,
  context: ContactsToolContext,
  providers: readonly string[],
): void {
  server.registerTool(
    'contacts_source_list',
    {
      title: 'List contact sources',
      description:
        'Lists the address-book accounts this butler syncs contacts from (and any others with stored sync state), each with its status (active, error, auth_error, deletions_held, never_synced, sync_disabled), last successful sync and last error. ' +
        'Use it to see which accounts are connected and which need attention; auth_error means the user must reconnect the account in the dashboard.',
      inputSchema: sourceListInput(providers),
      outputSchema: sourceListOutput,
      annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
    },
    async ({ provider, account_id }) => {
      const { env, error } = requireEnvironment(context);
      if (error) return error;
      const configured = environmentSources(env).filter(
        (s) =>
          (provider === undefined || s.config.provider === provider) &&
          (account_id === undefined || s.config.account_id === account_id),
      );
      // Refused with the list, as the other tools refuse a source they do not sync; a provider
      // alone still lists its accounts with stored state that this butler no longer syncs.
      if (configured.length === 0 && account_id !== undefined)
        return selectSource(env, provider, account_id).error!;
      const sources = await listSources({
        ...statusOptions(env),
        filter: provider,
        accountFilter: account_id,
        configured: configured.map((s) => ({
          provider: s.config.provider,
          accountId: s.config.account_id,
          syncEnabled: s.config.sync.enabled,
          runtime: s.runtime,
        })),
      });
      return toolResult({
        sources: sources.map((s) => ({ ...s, last_error: s.last_error && env.redact(s.last_error) })),
      });
    },
  );
}
