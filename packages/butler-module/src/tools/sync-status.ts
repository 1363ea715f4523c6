import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { fleetJobSchema, readSourceQueue } from '../status/sync-queue.js';
import { readSyncStatus } from '../status/sync-status.js';
import { requireSource } from './require-environment.js';
import { accountIdInput, heldDeletionsSchema, isoTimestamp, providerInput, toolInput } from './schemas.js';
import { type ContactsToolContext, statusOptions } from './tool-context.js';
import { toolResult } from './tool-result.js';

export const syncStatusInput = (providers: readonly string[]) =>
  toolInput('contacts_sync_status', { provider: providerInput(providers), account_id: accountIdInput });

export const syncStatusOutput = z.object({
  provider: z.string(),
  account_id: z.string(),
  sync_enabled: z.boolean().describe('false when [modules.contacts] sync.enabled = false: nothing syncs.'),
  running: z.boolean().describe('A sync of this account is in progress (in this or another process).'),
  cursor_present: z
    .boolean()
    .describe('An incremental cursor exists; false means the next sync is a full one.'),
  cursor_age_seconds: z
    .number()
    .int()
    .nullable()
    .describe('Age of the cursor; a provider may expire an old one (the next sync is then a full one).'),
  cursor_issued_at: isoTimestamp,
  last_full_sync_at: isoTimestamp,
  last_incremental_sync_at: isoTimestamp,
  last_success_at: isoTimestamp,
  last_error: z.string().nullable().describe('The last failure, cleared by the next successful sync.'),
  contact_count: z.number().int().describe('Contacts currently linked to the source.'),
  failed_contacts: z.number().int().describe('Contacts that could not be applied and wait for a retry.'),
  held_deletions: heldDeletionsSchema,
  next_sync_at: isoTimestamp.describe(
    'When the next sync is due (a retry while backing off); null while waiting for new credentials or before the first sync.',
  ),
  next_full_sync_at: isoTimestamp.describe(
    'When the next forced full sync is due; null before the first full sync.',
  ),
  retry_after: isoTimestamp.describe('The source asked for no request before this instant (a rate limit).'),
  consecutive_failures: z.number().int().describe('Failed syncs since the last one that completed.'),
  parked_reason: z
    .enum(['auth', 'disabled'])
    .nullable()
    .describe(
      'Why nothing is scheduled: auth (waiting for new credentials, see contacts_source_list), disabled, or null.',
    ),
  queue: z
    .object({
      state: z.enum(['running', 'waiting', 'due', 'failed', 'parked', 'idle']),
      running: z.boolean(),
      waiting: z.boolean(),
      due: z.boolean(),
      last_job_failed: z.boolean(),
    })
    .optional()
    .describe(
      'Only when sync workers run this butler (fleet mode): the account in the job queue. running: a worker syncs it; waiting: a job waits (a requested sync, or one deferred by a rate limit); due: the next sweep sends a job; failed: its last job failed (it is sent again when due); parked: nothing is sent (auth or disabled).',
    ),
});

/**
 * Registers `contacts_sync_status`: the account's cursor, last syncs, last error and counts.
 * Read-only; answers even with sync disabled (`sync_enabled: false`), so a person can see why
 * nothing syncs.
 *
 * @example
 * ```ts
 * registerSyncStatusTool(server, () => environment);
 * ```
 */
export function registerSyncStatusTool(
  server: McpServer,
  context: ContactsToolContext,
  providers: readonly string[],
): void {
  server.registerTool(
    'contacts_sync_status',
    {
      title: 'Contacts sync status',
      description:
        'Reports the state of the contacts sync: whether it is enabled and running now, the age of the incremental cursor, when the last full, incremental and successful syncs happened, the last error, how many contacts are linked and how many failed to apply, deletions held for the user to confirm, and when the next incremental and full syncs are due (or why none is scheduled). ' +
        'Use it to answer "is my contacts sync working?" or to check on a sync started with contacts_sync_now or contacts_source_reconcile.',
      inputSchema: syncStatusInput(providers),
      outputSchema: syncStatusOutput,
      annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
    },
    async ({ provider, account_id }) => {
      const { env, error } = requireSource(context, provider, account_id);
      if (error) return error;
      const [report, queue] = await Promise.all([
        readSyncStatus(statusOptions(env)),
        readSourceQueue({
          db: env.db,
          butlerSchema: env.butlerSchema,
          jobSchema: env.fleet?.jobSchema ?? fleetJobSchema(env.butlerSchema),
          provider: env.config.provider,
          accountId: env.config.account_id,
          fullIntervalMs: env.config.sync.full_sync_interval_days * 86_400_000,
          clock: env.clock,
        }),
      ]);
      return toolResult({
        ...report,
        ...(queue ? { queue } : {}),
        last_error: report.last_error && env.redact(report.last_error),
        held_deletions: report.held_deletions && {
          ...report.held_deletions,
          message: env.redact(report.held_deletions.message),
        },
      });
    },
  );
}
