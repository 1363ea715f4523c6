/**
 * Test support: one sync worker process of a fleet (`startContactsWorker` on PostgreSQL), for the
 * tests that kill and stop workers. Its options come as JSON in `FLEET_WORKER_OPTIONS`; it prints
 * every log event, and `ready`, as one JSON line on stdout, and stops on SIGTERM. Not part of the
 * package.
 */
import type { LogFields, Logger } from '@contacts/core';
import { openDatabase } from '../cli/open-database.js';
import { DbCredentialStore } from '../credentials/db-credential-store.js';
import { startContactsWorker } from '../worker/contacts-worker.js';

interface FleetWorkerOptions {
  url: string;
  butlerSchema: string;
  config: unknown;
  concurrency: number;
  sweepIntervalSeconds: number;
  heartbeatSeconds: number;
  monitorIntervalSeconds: number;
  lockTtlMs: number;
  pollingIntervalSeconds: number;
}

const options = JSON.parse(process.env.FLEET_WORKER_OPTIONS ?? '{}') as FleetWorkerOptions;
const print = (event: string, fields: LogFields = {}) =>
  process.stdout.write(`${JSON.stringify({ event, pid: process.pid, ...fields })}\n`);
const logger: Logger = { debug: print, info: print, warn: print, error: print };

const { db, close } = await openDatabase({ kind: 'postgres', url: options.url });
const worker = await startContactsWorker({
  config: options.config,
  db,
  butlerSchema: options.butlerSchema,
  credentialStore: new DbCredentialStore({ db, butlerSchema: options.butlerSchema }),
  concurrency: options.concurrency,
  sweepIntervalSeconds: options.sweepIntervalSeconds,
  heartbeatSeconds: options.heartbeatSeconds,
  monitorIntervalSeconds: options.monitorIntervalSeconds,
  lockTtlMs: options.lockTtlMs,
  pollingIntervalSeconds: options.pollingIntervalSeconds,
  logger,
  onJob: (report) => print('job', { key: report.key, outcome: report.outcome }),
});
print('ready');
process.once('SIGTERM', () => {
  void (async () => {
    await worker.stop();
    await close();
    print('stopped');
    process.exit(0);
  })();
});
