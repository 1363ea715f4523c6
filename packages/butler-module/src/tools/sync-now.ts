import { errorMessage, type SyncProgress } from '@contacts/core';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { ContactsModuleError } from '../errors.js';
import { heldDeletionsReport } from '../status/held-deletions.js';
import { describeStoppedSync, describeSyncError } from './describe-error.js';
import { requestFleetSync, requireRuntime, requireSource } from './require-environment.js';
import { accountIdInput, heldDeletionsSchema, providerInput, summarySchema, toolInput } from './schemas.js';
import type { ContactsToolContext } from './tool-context.js';
import { toolError, toolResult } from './tool-result.js';

export const syncNowInput = (providers: readonly string[]) =>
  toolInput('contacts_sync_now', {
    provider: providerInput(providers),
    account_id: accountIdInput,
    mode: z
      .enum(['incremental', 'full'], {
        error: (issue) =>
          `mode must be "incremental" or "full" (or left out for incremental)${issue.input === undefined ? '' : `, not ${JSON.stringify(issue.input)?.slice(0, 60)}`}`,
      })
      .optional()
      .describe(
        '"incremental" (default) fetches the changes since the last sync, or everything when there was none; "full" re-reads the whole address book and marks contacts deleted at the source.',
      ),
    confirm_deletions: z
      .boolean({
        error: (issue) =>
          `confirm_deletions must be true or false (or left out)${issue.input === undefined ? '' : `, not ${JSON.stringify(issue.input)?.slice(0, 60)}`}`,
      })
      .optional()
      .describe(
        'true applies the deletions contacts_sync_status shows as held (held_deletions), once; only after the user confirmed those contacts really were deleted at the source. Later deletions are guarded again.',
      ),
  });

export const syncNowOutput = z.object({
  provider: z.string(),
  account_id: z.string(),
  mode: z
    .enum(['incremental', 'full'])
    .describe('The mode that ran (a first sync, or an expired cursor, runs full).'),
  summary: summarySchema,
  confirmed_deletions: z.number().int().describe('Held deletions this sync applied (confirm_deletions).'),
  held_deletions: heldDeletionsSchema,
  duration_ms: z.number().int().nonnegative(),
});

/**
 * Registers `contacts_sync_now`: runs a sync cycle now and returns its summary. While another
 * cycle of this butler runs, it waits for it and then runs its own (so changes made before the
 * call are included); a cycle held by another process is an error result asking to retry later.
 * Sends `notifications/progress` per committed page when the caller passes a progress token.
 *
 * @example
 * ```ts
 * registerSyncNowTool(server, () => environment);
 * await client.callTool({ name: 'contacts_sync_now', arguments: { mode: 'full' } });
 * ```
 */
export function registerSyncNowTool(
  server: McpServer,
  context: ContactsToolContext,
  providers: readonly string[],
): void {
  server.registerTool(
    'contacts_sync_now',
    {
      title: 'Sync contacts now',
      description:
        'Runs a contacts sync from a configured address-book source into the CRM right now and returns what it did, in summary counts named as in `contacts sync`: fetched, created, updated, applied (created, linked or updated), skipped (unchanged, no write), unchanged (listed by the source as the version held: neither downloaded nor written), deleted (at the source), conflicts and failed. ' +
        'Use it after the user changed contacts at the source and wants them here at once; use mode "full" when contacts seem missing or stale. ' +
        'Local edits are never overwritten (conflicts are recorded) and nothing is deleted from the CRM. May take a while on large address books. ' +
        'When a sync would mark every linked contact, or too many at once, deleted at the source, it holds them instead (held_deletions says how many); confirm_deletions: true applies them once the user confirms.',
      inputSchema: syncNowInput(providers),
      outputSchema: syncNowOutput,
      annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: true },
    },
    async ({ provider, account_id, mode, confirm_deletions }, extra) => {
      const fleet = requireSource(context, provider, account_id);
      if (fleet.env?.fleet) {
        // The workers sync: this process cannot wait for the summary, it queues the sync instead.
        try {
          const queued = await requestFleetSync(fleet.env, 'trigger');
          return toolError(
            `${queued?.note} The summary is not returned in fleet mode; contacts_sync_status shows the result.`,
          );
        } catch (failure) {
          return toolError(fleet.env.redact(errorMessage(failure)));
        }
      }
      const { env, runtime, error } = requireRuntime(context, provider, account_id);
      if (error) return error;
      const token = extra._meta?.progressToken;
      const onProgress =
        token === undefined
          ? undefined
          : (progress: SyncProgress) => {
              extra
                .sendNotification({
                  method: 'notifications/progress',
                  params: {
                    progressToken: token,
                    progress: progress.page,
                    // "n of N" when the source gave the listing's size; \`progress\` stays the page count.
                    message:
                      progress.total !== undefined
                        ? `${progress.mode} sync: page ${progress.page}, ${progress.listed ?? progress.summary.fetched} of ${progress.total} contacts fetched`
                        : `${progress.mode} sync: page ${progress.page}, ${progress.summary.fetched} contacts fetched`,
                  },
                })
                .catch(() => {});
            };
      try {
        const result = await runtime.syncNow({
          mode: mode ?? 'incremental',
          onProgress,
          confirmDeletions: confirm_deletions === true,
        });
        if (!result.completed) return toolError(describeStoppedSync(env, result.pages));
        return toolResult({
          provider: result.provider,
          account_id: result.accountId,
          mode: result.mode,
          summary: result.summary,
          confirmed_deletions: result.confirmedDeletions,
          held_deletions: heldDeletionsReport(result.deletionHold, result.provider, result.accountId),
          duration_ms: Math.max(0, Math.round(result.durationMs)),
        });
      } catch (failure) {
        if (failure instanceof ContactsModuleError && failure.code === 'RUNTIME_NOT_RUNNING') {
          return toolError(describeStoppedSync(env, null));
        }
        return toolError(describeSyncError(failure, env));
      }
    },
  );
}
