import { type ChildProcess, fork } from 'node:child_process';
import { extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openSyncJobs, sweepDueAccounts } from '@contacts/fleet';
import { type GoogleEmulator, startGoogleEmulator } from '@contacts/google-emulator';
import { DEFAULT_BUTLER_SCHEMA, queryRows, quoteIdent } from '@contacts/schema';
import { sql } from 'drizzle-orm';
import { createFleetDatabase, type FleetConnection, fleetConnection } from './fleet-database.js';
import {
  type FleetParentMessage,
  type FleetWorkerConfig,
  type FleetWorkerMessage,
  fleetAccountId,
} from './fleet-ipc.js';

/**
 * Options of {@link runFleetWorkers}.
 *
 * @example
 * ```ts
 * const options: FleetRunOptions = { adminUrl, emulator, accounts: 1000, workers: 2, concurrency: 2, cap: 4, clients: 2, seed: 1, timeoutMs: 1_800_000, refused: () => 0, progress };
 * ```
 */
export interface FleetRunOptions {
  adminUrl: string;
  emulator: GoogleEmulator;
  accounts: number;
  /** Worker processes. */
  workers: number;
  /** Jobs at once per worker process. */
  concurrency: number;
  /** Concurrent syncs per upstream (OAuth client). */
  cap: number;
  clients: number;
  seed: number;
  /** The longest a round may take before the run fails. */
  timeoutMs: number;
  /** 429s the emulator has answered so far (the run reads it before and after). */
  refused(): number;
  progress(line: string): void;
}

/**
 * One round (every account synced once): throughput, lag against the due time, and per sync the
 * worker processes' CPU time and statements (pg-boss's, the gate's and the sweeper's included).
 *
 * @example
 * ```ts
 * const round: FleetRound = { syncs: 1000, failed: 0, wallMs: 60_000, perMinute: 1000, lagP50Ms: 30_000, lagP99Ms: 59_000, cpuMsPerSync: 40, statementsPerSync: 15 };
 * ```
 */
export interface FleetRound {
  syncs: number;
  failed: number;
  wallMs: number;
  perMinute: number;
  lagP50Ms: number;
  lagP99Ms: number;
  cpuMsPerSync: number;
  statementsPerSync: number;
}

/**
 * A run with `workers` processes: the first full sync of every account, then a quiet round (every
 * account due again, nothing changed), and the checks: peak concurrent syncs per upstream against
 * the cap, 429s, overlapping runs of one account, shared people held as two contacts.
 *
 * @example
 * ```ts
 * const run: FleetWorkerRun = await runFleetWorkers(options);
 * ```
 */
export interface FleetWorkerRun {
  workers: number;
  concurrency: number;
  accounts: number;
  cap: number;
  full: FleetRound;
  quiet: FleetRound;
  peakPerUpstream: Record<string, number>;
  http429: number;
  overlappingRuns: number;
  /** CRM contacts, and the distinct people of the books (name matches may merge a few more). */
  contacts: { expected: number; found: number };
  /** Shared people with an email or phone held as two or more contacts (must be 0). */
  duplicatePeople: number;
  errors: string[];
}

const WORKER_ENTRY = fileURLToPath(
  new URL(`./fleet-worker-main${extname(fileURLToPath(import.meta.url))}`, import.meta.url),
);

type JobMessage = Extract<FleetWorkerMessage, { kind: 'job' }>;

const percentile = (values: number[], p: number): number => {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0;
};

/** The most intervals open at once, per upstream. */
function peakPerUpstream(jobs: readonly JobMessage[]): Record<string, number> {
  const events = new Map<string, [number, number][]>();
  for (const job of jobs) {
    if (job.start === null) continue;
    const list = events.get(job.upstream) ?? [];
    list.push([job.start, 1], [job.end, -1]);
    events.set(job.upstream, list);
  }
  const peaks: Record<string, number> = {};
  for (const [upstream, list] of events) {
    // Ends before starts at the same millisecond: a slot released and retaken is not two.
    list.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
    let open = 0;
    let peak = 0;
    for (const [, delta] of list) {
      open += delta;
      peak = Math.max(peak, open);
    }
    peaks[upstream] = peak;
  }
  return peaks;
}

/** Pairs of runs of one account that overlapped in time (must be 0). */
function overlappingRuns(jobs: readonly JobMessage[]): number {
  const byKey = new Map<string, [number, number][]>();
  for (const job of jobs) {
    if (job.start === null) continue;
    const list = byKey.get(job.key) ?? [];
    list.push([job.start, job.end]);
    byKey.set(job.key, list);
  }
  let overlaps = 0;
  for (const list of byKey.values()) {
    list.sort((a, b) => a[0] - b[0]);
    for (let i = 1; i < list.length; i++) if ((list[i]?.[0] ?? 0) < (list[i - 1]?.[1] ?? 0)) overlaps += 1;
  }
  return overlaps;
}

/** The distinct people of the emulator's fleet (each book's own plus the shared pool's used), and where the shared ones are. */
function fleetPeople(emulator: GoogleEmulator, accounts: number) {
  const sharedIds = new Set<number>();
  const placements: { shared_id: number; account_id: string; resource_name: string }[] = [];
  let own = 0;
  for (let i = 0; i < accounts; i++) {
    const book = emulator.fleet?.account(i);
    if (!book) throw new Error('the emulator serves no fleet');
    const shared = book.shared();
    own += book.people().length - shared.length;
    for (const placement of shared) {
      sharedIds.add(placement.sharedId);
      // A person known by name alone resolves by the careful name match, which refuses a name
      // that is ambiguous in the CRM: only people with an email or phone must be one contact.
      const person = book.person(placement.resourceName);
      if (!person?.emailAddresses?.length && !person?.phoneNumbers?.length) continue;
      placements.push({
        shared_id: placement.sharedId,
        account_id: fleetAccountId(i),
        resource_name: placement.resourceName,
      });
    }
  }
  return { distinct: own + sharedIds.size, placements };
}

/**
 * Shared people (with an email or phone) the CRM holds as more than one contact: the source links of every book that has
 * the same shared person must all point at one contact (one set-based statement).
 */
async function duplicatePeople(
  db: FleetConnection['db'],
  placements: ReturnType<typeof fleetPeople>['placements'],
): Promise<number> {
  const links = sql.raw(`${quoteIdent(DEFAULT_BUTLER_SCHEMA)}.contacts_source_links`);
  const [row] = await queryRows<{ n: number }>(
    db,
    sql`select count(*)::int as n from (
      select p.shared_id
      from jsonb_to_recordset(${JSON.stringify(placements)}::jsonb) as p(shared_id int, account_id text, resource_name text)
      join ${links} l on l.provider = 'google' and l.account_id = p.account_id and l.external_contact_id = p.resource_name
      group by p.shared_id
      having count(distinct l.local_contact_id) > 1) as d`,
  );
  return Number(row?.n ?? 0);
}

/**
 * Runs `workers` worker processes against a fresh database and the fleet emulator: a full round,
 * then a quiet round, measured as {@link FleetWorkerRun}.
 *
 * @example
 * ```ts
 * const run = await runFleetWorkers({ adminUrl, emulator, accounts: 100, workers: 2, concurrency: 2, cap: 4, clients: 2, seed: 1, timeoutMs: 600_000, refused: () => 0, progress });
 * ```
 */
export async function runFleetWorkers(options: FleetRunOptions): Promise<FleetWorkerRun> {
  const { emulator, accounts } = options;
  const database = await createFleetDatabase(options.adminUrl, `contacts_bench_fleet_w${options.workers}`);
  const conn = fleetConnection(database.url, 2);
  const jobs = await openSyncJobs({ db: conn.db, butlerSchema: DEFAULT_BUTLER_SCHEMA, maintenance: false });
  const children: ChildProcess[] = [];
  const messages: JobMessage[] = [];
  const errors: string[] = [];
  let onJob: (() => void) | null = null;
  const stats = new Map<ChildProcess, (message: Extract<FleetWorkerMessage, { kind: 'stats' }>) => void>();
  try {
    const state = sql.raw(`${quoteIdent(DEFAULT_BUTLER_SCHEMA)}.contacts_sync_state`);
    await conn.db.execute(
      sql`insert into ${state} (provider, account_id)
        select 'google', 'account-' || n from generate_series(0, ${accounts - 1}::int) as n`,
    );
    for (let w = 0; w < options.workers; w++) {
      const child = fork(WORKER_ENTRY, [], {
        execArgv: process.execArgv,
        stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      });
      children.push(child);
      const ready = new Promise<void>((resolve, reject) => {
        child.once('exit', (code) =>
          reject(new Error(`fleet worker ${w} exited (code ${code}) before it was ready`)),
        );
        child.on('message', (message: FleetWorkerMessage) => {
          if (message.kind === 'ready') resolve();
          else if (message.kind === 'job') {
            messages.push(message);
            if (message.error && errors.length < 20) errors.push(message.error);
            onJob?.();
          } else if (message.kind === 'stats') stats.get(child)?.(message);
        });
      });
      const config: FleetWorkerConfig = {
        kind: 'start',
        workerId: `w${w}`,
        databaseUrl: database.url,
        rootUrl: emulator.url,
        tokenUrl: emulator.tokenUrl,
        seed: options.seed,
        accounts,
        clients: options.clients,
        concurrency: options.concurrency,
        cap: options.cap,
      };
      child.send(config satisfies FleetParentMessage);
      await ready;
    }
    const readStats = async () => {
      const all = await Promise.all(
        children.map(
          (child) =>
            new Promise<{ cpuMs: number; statements: number }>((resolve) => {
              stats.set(child, resolve);
              child.send({ kind: 'stats' } satisfies FleetParentMessage);
            }),
        ),
      );
      return {
        cpuMs: all.reduce((a, s) => a + s.cpuMs, 0),
        statements: all.reduce((a, s) => a + s.statements, 0) + conn.statements(),
      };
    };

    const round = async (name: string): Promise<FleetRound> => {
      const dueAt = new Date();
      await conn.db.execute(
        sql`update ${state} set next_incremental_due_at = ${dueAt.toISOString()}::timestamptz`,
      );
      const before = await readStats();
      const from = messages.length;
      const started = Date.now();
      for (;;) {
        const swept = await sweepDueAccounts(jobs, {
          db: conn.db,
          fullIntervalMs: 6 * 86_400_000,
          now: new Date(),
        });
        if (swept.due === 0 && !swept.skipped) break;
      }
      const finished = () => {
        const done = new Set(
          messages
            .slice(from)
            .filter((m) => m.outcome === 'synced' || m.outcome === 'failed')
            .map((m) => m.key),
        );
        return done.size >= accounts;
      };
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => {
          onJob = null;
          reject(new Error(`the ${name} round did not finish within ${options.timeoutMs} ms`));
        }, options.timeoutMs);
        onJob = () => {
          if (!finished()) return;
          clearTimeout(timer);
          onJob = null;
          resolve();
        };
        onJob();
      });
      const wallMs = Date.now() - started;
      const after = await readStats();
      const done = messages.slice(from).filter((m) => m.outcome === 'synced' || m.outcome === 'failed');
      const lags = done.filter((m) => m.start !== null).map((m) => (m.start ?? 0) - dueAt.getTime());
      const result: FleetRound = {
        syncs: done.length,
        failed: done.filter((m) => m.outcome === 'failed').length,
        wallMs,
        perMinute: (done.length / wallMs) * 60_000,
        lagP50Ms: percentile(lags, 50),
        lagP99Ms: percentile(lags, 99),
        cpuMsPerSync: (after.cpuMs - before.cpuMs) / done.length,
        statementsPerSync: (after.statements - before.statements) / done.length,
      };
      options.progress(
        `  ${options.workers} worker(s), ${name}: ${result.syncs} syncs in ${(wallMs / 1000).toFixed(1)} s, ` +
          `${result.perMinute.toFixed(0)}/min, lag p50 ${(result.lagP50Ms / 1000).toFixed(1)} s p99 ${(result.lagP99Ms / 1000).toFixed(1)} s, ` +
          `${result.cpuMsPerSync.toFixed(1)} CPU-ms and ${result.statementsPerSync.toFixed(1)} statements per sync`,
      );
      return result;
    };

    const refusedBefore = options.refused();
    const full = await round('full');
    const quiet = await round('quiet');
    const people = fleetPeople(emulator, accounts);
    const [found] = await queryRows<{ n: number }>(
      conn.db,
      sql`select count(*)::int as n from shared.contacts where archived_at is null`,
    );
    return {
      workers: options.workers,
      concurrency: options.concurrency,
      accounts,
      cap: options.cap,
      full,
      quiet,
      peakPerUpstream: peakPerUpstream(messages),
      http429: options.refused() - refusedBefore,
      overlappingRuns: overlappingRuns(messages),
      contacts: { expected: people.distinct, found: Number(found?.n ?? 0) },
      duplicatePeople: await duplicatePeople(conn.db, people.placements),
      errors,
    };
  } finally {
    for (const child of children) {
      if (child.connected) child.send({ kind: 'stop' } satisfies FleetParentMessage);
    }
    await Promise.all(
      children.map(
        (child) =>
          new Promise<void>((resolve) => {
            if (child.exitCode !== null) return resolve();
            const kill = setTimeout(() => child.kill('SIGKILL'), 30_000);
            child.once('exit', () => {
              clearTimeout(kill);
              resolve();
            });
          }),
      ),
    );
    await jobs.stop();
    await conn.end();
    await database.drop();
  }
}

/**
 * The fleet emulator of a benchmark: `accounts` books of `contacts` people (30% from a shared
 * pool), spread over `clients` OAuth clients, with Google's reported per-user read quota.
 *
 * @example
 * ```ts
 * const emulator = await startFleetEmulator({ seed: 1, accounts: 1000, contacts: 200, clients: 2, onRequest: () => {} });
 * ```
 */
export function startFleetEmulator(options: {
  seed: number;
  accounts: number;
  contacts: number;
  clients: number;
  onRequest(status: number): void;
}): Promise<GoogleEmulator> {
  return startGoogleEmulator({
    seed: options.seed,
    fleet: {
      accounts: options.accounts,
      peoplePerAccount: options.contacts,
      sharedShare: 0.3,
      clients: options.clients,
    },
    // Google's reported per-user read quota; the project's set high enough not to bind here.
    quotas: { readRequestsPerMinutePerUser: 180, readRequestsPerMinutePerProject: 100_000 },
    requestLogLimit: 1,
    onRequest: (entry) => options.onRequest(entry.status),
  });
}
