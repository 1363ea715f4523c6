import { errorMessage } from '@contacts/core';
import { type ContactsDatabase, contacts } from '@contacts/schema';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { eq } from 'drizzle-orm';
import { z } from 'zod';
import { requestFleetSync, requireRuntime, requireSource } from './require-environment.js';
import { accountIdInput, providerInput, toolInput } from './schemas.js';
import type { ContactsToolContext } from './tool-context.js';
import { toolError, toolResult } from './tool-result.js';

export const sourceReconcileInput = (providers: readonly string[]) =>
  toolInput('contacts_source_reconcile', {
    provider: providerInput(providers),
    account_id: accountIdInput,
    // A UUID like shared.contacts.id: anything else cannot name a CRM contact, so it is refused
    // here rather than echoed into the note as if it could.
    contact_id: z
      .guid({
        error: (issue) =>
          `contact_id must be a CRM contact id, a UUID such as c0ffee00-0000-4000-8000-000000000001${issue.input === undefined ? '' : `, not ${JSON.stringify(issue.input)?.slice(0, 60)}`}`,
      })
      .optional()
      .describe(
        'The id (a UUID) of an existing CRM contact; an id of no contact is refused. Per-contact scoping is not supported yet: the whole account is synced.',
      ),
  });

export const sourceReconcileOutput = z.object({
  queued: z.literal(true),
  provider: z.string(),
  note: z.string(),
});

/**
 * Registers `contacts_source_reconcile`: wakes the sync runtime for an immediate sync and returns
 * without waiting for it (also the way to retry at once after new credentials were stored).
 *
 * @example
 * ```ts
 * registerSourceReconcileTool(server, () => environment);
 * ```
 */
export function registerSourceReconcileTool(
  server: McpServer,
  context: ContactsToolContext,
  providers: readonly string[],
): void {
  server.registerTool(
    'contacts_source_reconcile',
    {
      title: 'Queue a contacts reconcile',
      description:
        'Asks the background sync to reconcile the contacts source with the CRM right away and returns at once, without waiting for the result (use contacts_sync_status to follow it, or contacts_sync_now to wait for a summary). ' +
        'Use it when contacts look out of date, or after the user reconnected the account. Per-contact scoping (contact_id) is not supported yet: the whole account is synced.',
      inputSchema: sourceReconcileInput(providers),
      outputSchema: sourceReconcileOutput,
      annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: true },
    },
    async ({ provider: askedProvider, account_id: askedAccount, contact_id: contactId }) => {
      const source = requireSource(context, askedProvider, askedAccount);
      if (source.error) return source.error;
      const env = source.env;
      // The note would otherwise claim the sync includes a contact that does not exist.
      if (contactId !== undefined && !(await contactExists(env.db, contactId))) {
        return toolError(
          `No CRM contact has the id ${contactId}: nothing was queued. Pass the id of an existing contact (shared.contacts), or leave contact_id out to sync the whole account.`,
        );
      }
      if (env.fleet) {
        // No runtime runs here in fleet mode: the sync goes to the workers as a job.
        try {
          const queued = await requestFleetSync(env, 'reconcile');
          return toolResult({
            queued: true as const,
            provider: env.config.provider,
            note: queued?.note ?? '',
          });
        } catch (failure) {
          return toolError(env.redact(errorMessage(failure)));
        }
      }
      const { runtime, error } = requireRuntime(context, askedProvider, askedAccount);
      if (error) return error;
      let startsAt: Date;
      try {
        startsAt = runtime.trigger();
      } catch (failure) {
        return toolError(env.redact(errorMessage(failure)));
      }
      const { provider, account_id: account } = env.config;
      const when =
        startsAt.getTime() > env.clock.now().getTime()
          ? `at ${startsAt.toISOString()}, when ${provider}'s rate limit allows`
          : 'now';
      const scope = contactId
        ? `Per-contact scoping is not supported yet: the whole ${provider} (${account}) account is synced instead, which includes contact ${contactId}.`
        : 'Per-contact scoping is not supported yet: the whole account is synced.';
      return toolResult({
        queued: true as const,
        provider,
        note: `A sync of ${provider} (${account}) was queued and starts ${when}; call contacts_sync_status to see its result. ${scope}`,
      });
    },
  );
}

async function contactExists(db: ContactsDatabase, id: string): Promise<boolean> {
  const rows = await db.select({ id: contacts.id }).from(contacts).where(eq(contacts.id, id)).limit(1);
  return rows.length > 0;
}
