import { DbCredentialStore } from '../../credentials/db-credential-store.js';
import { ContactsModuleError } from '../../errors.js';
import { verifySecretsAtRest } from '../../module/verify-secrets-at-rest.js';
import { startContactsWorker } from '../../worker/contacts-worker.js';
import { type CommandContext, withDatabase } from '../command-context.js';
import { loadCliConfig } from '../load-config.js';
import { syncLeaseTtlMs } from '../options.js';
import { currentSecretsKey } from '../secrets-key-source.js';

/** A whole number flag from `min` to `max`, or its default when absent. */
function wholeFlag(
  name: string,
  raw: string | undefined,
  min: number,
  max: number,
  fallback: number,
): number {
  if (raw === undefined) return fallback;
  const value = Number(raw.trim());
  if (!/^\d+$/.test(raw.trim()) || value < min || value > max) {
    throw new ContactsModuleError(
      'USAGE',
      `${name} must be a whole number from ${min} to ${max}; got ${JSON.stringify(raw.slice(0, 40))}.`,
    );
  }
  return value;
}

/**
 * `contacts worker [--concurrency N] [--sweep-interval SECONDS]`: a sync worker of a fleet. Syncs
 * the configured sources from pg-boss jobs in the database (its own schema, `<butler schema>_jobs`),
 * `--concurrency` at a time (default 2), and sweeps due accounts into jobs every
 * `--sweep-interval` seconds (default 15; 0: never, another process sweeps). Start as many as the
 * database serves, on one machine or many; one sweeps at a time. Runs until signalled, then lets
 * running syncs end (their page in flight commits) before it exits.
 */
export async function workerCommand(
  ctx: CommandContext,
  flags: { concurrency?: string; sweepInterval?: string },
): Promise<number> {
  const concurrency = wholeFlag('--concurrency', flags.concurrency, 1, 64, 2);
  const sweepIntervalSeconds = wholeFlag('--sweep-interval', flags.sweepInterval, 0, 3600, 15);
  const { butlerSchema, configPath, settingsOverrides } = ctx.globals;
  const config = await loadCliConfig(configPath, ctx.globals.configLabel);
  const lockTtlMs = syncLeaseTtlMs(ctx.io);
  const secretsKey = currentSecretsKey(ctx.io, ctx.globals.secretsKeyFile, ctx.redactor);
  const logger = ctx.logger('info');
  return withDatabase(ctx, { migrateFirst: true, handlesSignal: true }, async (db) => {
    const credentialStore = new DbCredentialStore({ db, butlerSchema, secretsKey });
    // A missing or wrong secrets key is a configuration error to say now, not on every job.
    await verifySecretsAtRest(credentialStore, logger, { command: 'worker' });
    const worker = await startContactsWorker({
      config,
      db,
      butlerSchema,
      credentialStore,
      settingsOverrides,
      concurrency,
      sweepIntervalSeconds,
      lockTtlMs,
      logger,
    });
    logger.info('contacts_worker_started', {
      concurrency,
      sweep_interval_seconds: sweepIntervalSeconds,
      job_schema: worker.jobs.jobSchema,
    });
    const signal = ctx.io.signal;
    await new Promise<void>((resolve) => {
      if (!signal || signal.aborted) return resolve();
      signal.addEventListener('abort', () => resolve(), { once: true });
    });
    logger.info('contacts_worker_stopping', { running: worker.worker.running() });
    await worker.stop();
    return 0;
  });
}
