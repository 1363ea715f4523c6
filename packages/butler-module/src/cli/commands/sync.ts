import { type Logger, ProviderError, systemClock } from '@contacts/core';
import { DbCredentialStore } from '../../credentials/db-credential-store.js';
import { configuredSources } from '../../module/configured-sources.js';
import { CredentialStoreProviderSource } from '../../module/credential-provider-source.js';
import { defaultProviderRegistry } from '../../module/default-registry.js';
import { fixedProviderSource } from '../../runtime/provider-source.js';
import { ContactsSyncRuntime } from '../../runtime/sync-runtime.js';
import { heldDeletionsReport } from '../../status/held-deletions.js';
import { authCommandFor, needsAuthorisation } from '../auth-hint.js';
import { type CommandContext, withDatabase } from '../command-context.js';
import { HintedError } from '../hinted-error.js';
import { loadCliConfig } from '../load-config.js';
import { syncLeaseTtlMs } from '../options.js';
import { progressDisplay } from '../progress.js';
import { currentSecretsKey } from '../secrets-key-source.js';
import { pickSources } from '../source-flag.js';
import { summaryLine } from '../summary-line.js';

// A one-shot sync neither retries nor waits: these lines describe a schedule that does not exist
// here, and the failure itself is the command's last line.
const RUNTIME_ONLY = new Set([
  'contacts_sync_failed',
  'contacts_sync_auth_error',
  'contacts_sync_backoff',
  'contacts_sync_busy',
]);

function withoutRetryNoise(logger: Logger): Logger {
  return {
    ...logger,
    warn: (m, f) => RUNTIME_ONLY.has(m) || logger.warn(m, f),
    error: (m, f) => RUNTIME_ONLY.has(m) || logger.error(m, f),
  };
}

/**
 * `contacts sync [--full] [--confirm-deletions] [--source PROVIDER[:ACCOUNT]]`: one sync cycle of one source in the foreground, with a progress
 * display on stderr and a summary on stdout. SIGINT stops it after the page in flight (the next
 * sync resumes there). `--confirm-deletions` applies the deletions the deletion guard holds.
 * Exit 0 when it completed, 1 when it failed, was interrupted or left deletions held for a
 * person to confirm, 2 for configuration errors.
 */
export async function syncCommand(
  ctx: CommandContext,
  flags: { full?: boolean; json?: boolean; confirmDeletions?: boolean; source?: string },
): Promise<number> {
  const { butlerSchema, configPath, settingsOverrides } = ctx.globals;
  const sources = configuredSources(
    await loadCliConfig(configPath, ctx.globals.configLabel),
    defaultProviderRegistry(),
    settingsOverrides,
  );
  const [source] = pickSources(sources, flags.source, { all: false });
  const config = source!.config;
  const lockTtlMs = syncLeaseTtlMs(ctx.io);
  const secretsKey = currentSecretsKey(ctx.io, ctx.globals.secretsKeyFile, ctx.redactor);
  const logger = ctx.globals.verbose ? ctx.logger('debug') : withoutRetryNoise(ctx.logger('warn'));
  // The signal stops the cycle after its page in flight (below), not the database under it.
  return withDatabase(ctx, { migrateFirst: true, handlesSignal: true }, async (db) => {
    const store = new DbCredentialStore({ db, butlerSchema, secretsKey });
    // As the module's startup: a missing or wrong secrets key stops here, with its sentence. (A
    // key-less store's plain text is not repeated on every sync: `secrets list` and `set` say it.)
    const atRest = await store.verify();
    if (atRest.encryptedNow > 0) {
      ctx.err(
        `note: encrypted ${atRest.encryptedNow} secret(s) that were stored in plain text (key id ${atRest.keyId}).`,
      );
    }
    // The module's own path from the credential store to a provider: every value read is redacted.
    const { provider } = await new CredentialStoreProviderSource({
      store,
      source: source!,
      redactor: ctx.redactor,
      logger,
      clock: systemClock,
    }).open();
    const runtime = new ContactsSyncRuntime({
      db,
      butlerSchema,
      config,
      providers: fixedProviderSource(provider),
      logger,
      lockTtlMs,
      // The credentials read above are in the redactor: never stored in last_error either.
      redact: (text: string) => ctx.redactor.redact(text),
    });
    if (!config.sync.enabled) {
      ctx.err(
        'note: sync.enabled = false in [modules.contacts]; running this one sync because it was asked for.',
      );
    }
    const label = `${config.provider} (${config.account_id})`;
    const display = progressDisplay(ctx.io.stderr, label);
    const stop = () => void runtime.stop();
    ctx.io.signal?.addEventListener('abort', stop, { once: true });
    if (ctx.io.signal?.aborted) stop();
    try {
      const result = await runtime.syncNow({
        mode: flags.full ? 'full' : 'auto',
        onProgress: (p) => display.update(p),
        confirmDeletions: flags.confirmDeletions === true,
      });
      display.stop();
      const s = result.summary;
      const held = heldDeletionsReport(result.deletionHold, result.provider, result.accountId);
      if (flags.json) {
        ctx.out(
          JSON.stringify({
            provider: result.provider,
            account_id: result.accountId,
            mode: result.mode,
            completed: result.completed,
            summary: s,
            confirmed_deletions: result.confirmedDeletions,
            held_deletions: held,
            duration_ms: Math.round(result.durationMs),
          }),
        );
      } else {
        const verb = result.completed ? 'Synced' : 'Interrupted the sync of';
        ctx.out(
          `${verb} ${label}: ${result.mode} sync, ${result.pages} page(s) in ${(result.durationMs / 1000).toFixed(1)} s${result.cursorExpired ? ' (the cursor had expired)' : ''}.`,
        );
        ctx.out(`  ${summaryLine(s)}`);
        if (s.failed > 0)
          ctx.out(`  ${s.failed} contact(s) could not be applied; they are retried on the next sync.`);
        if (flags.confirmDeletions) {
          ctx.out(
            result.confirmedDeletions > 0 || result.summary.deleted > 0
              ? `  ${result.confirmedDeletions} held deletion(s) confirmed and applied.`
              : '  No deletions were held: nothing to confirm.',
          );
        }
        if (!result.completed) ctx.out('  The next sync resumes after the last committed page.');
      }
      // A person must act: the deletions wait for a confirmation (or a full sync that disproves them).
      if (held) ctx.err(`contacts: ${held.message}`);
      return result.completed && !held ? 0 : 1;
    } catch (error) {
      // Stopped by a signal: the provider's cancelled request is not the news, the stop is.
      if (!ctx.io.signal?.aborted) {
        // The provider's sentence is written for hosts (a dashboard); here the fix is a command.
        const code = error instanceof ProviderError ? error.code : null;
        if (needsAuthorisation({ parkedReason: null, lastErrorCode: code })) {
          const command = authCommandFor(config.provider, config.account_id);
          throw new HintedError(error, `contacts: to authorise again, run \`${command}\`.`);
        }
        throw error;
      }
      display.stop();
      ctx.err(`contacts: interrupted; the next sync of ${label} resumes after the last committed page.`);
      return 1;
    } finally {
      display.stop();
      ctx.io.signal?.removeEventListener('abort', stop);
      await runtime.stop();
    }
  });
}
