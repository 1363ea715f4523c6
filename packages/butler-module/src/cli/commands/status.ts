import { ContactsSyncStateStore, systemClock } from '@contacts/core';
import { configuredSources } from '../../module/configured-sources.js';
import { defaultProviderRegistry } from '../../module/default-registry.js';
import { fleetJobSchema, readSourceQueue, type SourceQueueReport } from '../../status/sync-queue.js';
import { readSyncStatus, type SyncStatusReport } from '../../status/sync-status.js';
import { authCommandFor, needsAuthorisation } from '../auth-hint.js';
import { type CommandContext, withDatabase } from '../command-context.js';
import { formatAge, formatTable } from '../format.js';
import { loadCliConfig } from '../load-config.js';
import { pickSources } from '../source-flag.js';

/** When the next sync is due, or why none is scheduled. */
function nextSync(report: SyncStatusReport): string {
  if (report.parked_reason === 'auth')
    return `waiting for new credentials (run \`${authCommandFor(report.provider, report.account_id)}\`)`;
  if (report.parked_reason === 'disabled') return 'none: sync is disabled';
  const failures = report.consecutive_failures;
  const retry = failures > 0 ? ` (retry after ${failures} failed sync${failures === 1 ? '' : 's'})` : '';
  return report.next_sync_at ? `${report.next_sync_at}${retry}` : 'when the butler starts syncing';
}

/** The source's place in the workers' queue (fleet mode). */
function queueLine(queue: SourceQueueReport): string {
  const said: Record<SourceQueueReport['state'], string> = {
    running: 'running (a worker syncs it now)',
    waiting: 'waiting (a job waits for a worker)',
    due: 'due (the next sweep sends a job)',
    failed: 'failed (its last job failed; sent again when due)',
    parked: 'parked (no job is sent)',
    idle: 'idle (not due)',
  };
  const follow = queue.state === 'running' && queue.waiting ? ', one more waits' : '';
  return `${said[queue.state]}${follow}`;
}

/**
 * `contacts status [--json] [--source PROVIDER[:ACCOUNT]]`: one configured source's sync status
 * (the `contacts_sync_status` shape).
 */
export async function statusCommand(
  ctx: CommandContext,
  flags: { json?: boolean; source?: string },
): Promise<number> {
  const all = configuredSources(
    await loadCliConfig(ctx.globals.configPath, ctx.globals.configLabel),
    defaultProviderRegistry(),
  );
  const config = pickSources(all, flags.source, { all: false })[0]!.config;
  const { report, authNeeded, queue } = await withDatabase(
    ctx,
    { migrateFirst: false, readOnly: true },
    async (db) => {
      const butlerSchema = ctx.globals.butlerSchema;
      const [report, state, queue] = await Promise.all([
        readSyncStatus({
          db,
          butlerSchema,
          provider: config.provider,
          accountId: config.account_id,
          syncEnabled: config.sync.enabled,
          clock: systemClock,
        }),
        // The stored error's code (not in the report's shape) says whether it was an auth failure.
        new ContactsSyncStateStore({ db, butlerSchema, clock: systemClock }).load(
          config.provider,
          config.account_id,
        ),
        // Only when sync workers ran here (a job queue exists): a single-host status is unchanged.
        readSourceQueue({
          db,
          butlerSchema,
          jobSchema: fleetJobSchema(butlerSchema),
          provider: config.provider,
          accountId: config.account_id,
          fullIntervalMs: config.sync.full_sync_interval_days * 86_400_000,
          clock: systemClock,
        }),
      ]);
      return { report, authNeeded: needsAuthorisation(state), queue };
    },
  );
  const authHint = authNeeded
    ? `The ${report.provider} account "${report.account_id}" needs new credentials: run \`${authCommandFor(report.provider, report.account_id)}\`.`
    : null;
  if (flags.json) {
    ctx.out(
      JSON.stringify(
        {
          ...report,
          last_error: report.last_error && ctx.redactor.redact(report.last_error),
          ...(queue ? { queue } : {}),
        },
        null,
        2,
      ),
    );
    // stdout stays one JSON document; the person's next step goes to stderr.
    if (authHint) ctx.err(authHint);
    return 0;
  }
  const when = (iso: string | null) => iso ?? 'never';
  const cursor = report.cursor_present
    ? `present${report.cursor_age_seconds !== null ? `, issued ${formatAge(report.cursor_age_seconds)} ago` : ''}`
    : 'none (the next sync is a full one)';
  ctx.out(
    formatTable(
      ['FIELD', 'VALUE'],
      [
        ['provider', report.provider],
        ['account', report.account_id],
        ['butler schema', ctx.globals.butlerSchema],
        ['sync enabled', report.sync_enabled ? 'yes' : 'no'],
        ['running now', report.running ? 'yes' : 'no'],
        ['cursor', cursor],
        ['last full sync', when(report.last_full_sync_at)],
        ['last incremental', when(report.last_incremental_sync_at)],
        ['last success', when(report.last_success_at)],
        ['last error', report.last_error ? ctx.redactor.redact(report.last_error) : 'none'],
        ['next sync', nextSync(report)],
        ['next full sync', report.next_full_sync_at ?? 'with the next sync'],
        ['contacts', String(report.contact_count)],
        ['failed contacts', String(report.failed_contacts)],
        [
          'held deletions',
          report.held_deletions
            ? `${report.held_deletions.count} of ${report.held_deletions.of} (see below)`
            : 'none',
        ],
        ...(queue ? [['job queue', queueLine(queue)]] : []),
      ],
    ),
  );
  if (report.held_deletions) ctx.out(`\n${report.held_deletions.message}`);
  if (authHint) ctx.out(`\n${authHint}`);
  return 0;
}
