// A worker process of `pnpm bench --fleet`: runs the sync worker on the benchmark's database
// until the parent says stop, and reports each job and, when asked, its CPU time and statements.

import { errorMessage, systemClock } from '@contacts/core';
import { DbUpstreamGate, openSyncJobs, type SyncJobData, startSyncWorker } from '@contacts/fleet';
import { fleetCredentials } from '@contacts/google-emulator';
import { DEFAULT_BUTLER_SCHEMA } from '@contacts/schema';
import { fleetConnection } from './fleet-database.js';
import {
  type FleetParentMessage,
  type FleetWorkerConfig,
  type FleetWorkerMessage,
  fleetAccountId,
} from './fleet-ipc.js';
import { type GoogleFleetAccount, googleFleetWorkerAccounts } from './google-fleet-accounts.js';

const send = (message: FleetWorkerMessage) => process.send?.(message);

async function run(config: FleetWorkerConfig): Promise<void> {
  const conn = fleetConnection(config.databaseUrl, config.concurrency + 2);
  const jobs = await openSyncJobs({ db: conn.db, butlerSchema: DEFAULT_BUTLER_SCHEMA, maintenance: false });
  const accounts = new Map<string, GoogleFleetAccount>();
  for (let index = 0; index < config.accounts; index++) {
    accounts.set(fleetAccountId(index), {
      rootUrl: config.rootUrl,
      tokenUrl: config.tokenUrl,
      credentials: fleetCredentials({ seed: config.seed, index, clients: config.clients }),
    });
  }
  const fleet = googleFleetWorkerAccounts(accounts);
  const starts = new Map<string, number>();
  const upstreams = new Map<string, string>();
  const key = (data: SyncJobData) => `${data.provider}:${data.accountId}`;
  const worker = await startSyncWorker({
    jobs,
    db: conn.db,
    schedule: { intervalMs: 15 * 60_000, fullIntervalMs: 6 * 86_400_000 },
    gate: new DbUpstreamGate({ db: conn.db, clock: systemClock, caps: { default: config.cap } }),
    upstreamOf: (data) => {
      const upstream = fleet.upstreamOf(data);
      upstreams.set(key(data), upstream);
      return upstream;
    },
    openAccount: (data) => {
      starts.set(key(data), Date.now());
      return fleet.openAccount(data);
    },
    workerId: config.workerId,
    concurrency: config.concurrency,
    pollingIntervalSeconds: 0.5,
    onJob: (report) => {
      send({
        kind: 'job',
        key: report.key,
        outcome: report.outcome,
        upstream: upstreams.get(report.key) ?? '',
        start: starts.get(report.key) ?? null,
        end: Date.now(),
        ...(report.error === undefined ? {} : { error: errorMessage(report.error) }),
      });
      starts.delete(report.key);
    },
  });
  send({ kind: 'ready' });
  await new Promise<void>((resolve) => {
    process.on('message', (message: FleetParentMessage) => {
      if (message.kind === 'stats') {
        const cpu = process.cpuUsage();
        send({ kind: 'stats', cpuMs: (cpu.user + cpu.system) / 1000, statements: conn.statements() });
      } else if (message.kind === 'stop') resolve();
    });
  });
  await worker.stop();
  await jobs.stop();
  await conn.end();
  process.disconnect?.();
}

process.once('message', (message: FleetParentMessage) => {
  if (message.kind !== 'start') return;
  run(message).catch((error: unknown) => {
    process.stderr.write(`fleet worker ${message.workerId}: ${errorMessage(error)}\n`);
    process.exit(1);
  });
});
