import { type FleetWorkerRun, runFleetWorkers, startFleetEmulator } from './fleet-run.js';
import { measureQueueCost, type QueueCost } from './queue-cost.js';

/**
 * The sizes of `pnpm bench --fleet` (and of `--fleet-quick`, which CI runs).
 *
 * @example
 * ```ts
 * const size: FleetSize = FLEET_SIZES.quick;
 * ```
 */
export interface FleetSize {
  queueAccounts: number[];
  /** Jobs fetched and completed one by one at each queue size. */
  queueSample: number;
  accounts: number;
  contacts: number;
  workers: number[];
}

/** The full run, and the quick one (about half a minute). */
export const FLEET_SIZES: Readonly<Record<'full' | 'quick', FleetSize>> = {
  full: {
    queueAccounts: [1000, 10_000, 100_000],
    queueSample: 1000,
    accounts: 1000,
    contacts: 200,
    workers: [1, 2, 4],
  },
  quick: { queueAccounts: [1000], queueSample: 200, accounts: 12, contacts: 200, workers: [1, 2] },
};

/** Jobs at once in each worker process, the cap per upstream and the OAuth clients (upstreams). */
const CONCURRENCY = 2;
const CAP = 3;
const CLIENTS = 2;

/**
 * What `pnpm bench --fleet` measured.
 *
 * @example
 * ```ts
 * const results: FleetResults = await runFleetBench({ adminUrl, size: FLEET_SIZES.quick, seed: 1, progress });
 * ```
 */
export interface FleetResults {
  kind: 'fleet';
  size: FleetSize;
  queue: QueueCost[];
  runs: FleetWorkerRun[];
  /** Every check held: no failed sync, no overlapping run, no duplicate person, caps kept. */
  ok: boolean;
  problems: string[];
}

/**
 * Runs the fleet benchmark on PostgreSQL: the queue's cost per job at each queue size, then the
 * worker runs (full and quiet rounds) for each number of worker processes.
 *
 * @example
 * ```ts
 * const results = await runFleetBench({ adminUrl, size: FLEET_SIZES.full, seed: 1, progress: console.error });
 * ```
 */
export async function runFleetBench(options: {
  adminUrl: string;
  size: FleetSize;
  seed: number;
  progress(line: string): void;
}): Promise<FleetResults> {
  const { size, progress } = options;
  const queue: QueueCost[] = [];
  for (const accounts of size.queueAccounts) {
    progress(`fleet: queue cost at ${accounts} accounts`);
    queue.push(await measureQueueCost(options.adminUrl, accounts, size.queueSample));
  }
  let refused = 0;
  const emulator = await startFleetEmulator({
    seed: options.seed,
    accounts: size.accounts,
    contacts: size.contacts,
    clients: CLIENTS,
    onRequest: (status) => {
      if (status === 429) refused += 1;
    },
  });
  const runs: FleetWorkerRun[] = [];
  try {
    for (const workers of size.workers) {
      progress(`fleet: ${size.accounts} accounts x ${size.contacts} contacts, ${workers} worker process(es)`);
      runs.push(
        await runFleetWorkers({
          adminUrl: options.adminUrl,
          emulator,
          accounts: size.accounts,
          workers,
          concurrency: CONCURRENCY,
          cap: CAP,
          clients: CLIENTS,
          seed: options.seed,
          timeoutMs: 45 * 60_000,
          refused: () => refused,
          progress,
        }),
      );
    }
  } finally {
    await emulator.close();
  }
  const problems = runs.flatMap((run) => {
    const at = `${run.workers} worker(s)`;
    return [
      ...(run.full.failed + run.quiet.failed > 0
        ? [`${at}: ${run.full.failed + run.quiet.failed} failed syncs (${run.errors[0] ?? ''})`]
        : []),
      ...(run.overlappingRuns > 0 ? [`${at}: ${run.overlappingRuns} overlapping runs of one account`] : []),
      ...(run.duplicatePeople > 0
        ? [`${at}: ${run.duplicatePeople} shared people held as two or more contacts`]
        : []),
      ...(run.contacts.found > run.contacts.expected
        ? [`${at}: ${run.contacts.found} CRM contacts for ${run.contacts.expected} distinct people`]
        : []),
      ...Object.entries(run.peakPerUpstream)
        .filter(([, peak]) => peak > run.cap)
        .map(([upstream, peak]) => `${at}: ${peak} concurrent syncs on ${upstream}, over the cap ${run.cap}`),
    ];
  });
  return { kind: 'fleet', size, queue, runs, ok: problems.length === 0, problems };
}

const fixed = (value: number, digits = 1) => value.toFixed(digits);

/**
 * The results as text tables (stdout of `pnpm bench --fleet`).
 *
 * @example
 * ```ts
 * console.log(formatFleetResults(results));
 * ```
 */
export function formatFleetResults(results: FleetResults): string {
  const lines = ['Queue cost per job (PostgreSQL; sweep = batches of 1,000; job = fetch + complete):'];
  lines.push('  accounts | sweep ms/job | sweep stmts/job | first/last batch ms | job ms | job stmts');
  for (const q of results.queue) {
    lines.push(
      `  ${String(q.accounts).padStart(8)} | ${fixed(q.sweep.ms / q.accounts, 3).padStart(12)} | ${fixed(q.sweep.statements / q.accounts, 3).padStart(15)} | ${`${fixed(q.sweep.firstBatchMs, 0)}/${fixed(q.sweep.lastBatchMs, 0)}`.padStart(19)} | ${fixed(q.job.ms, 2).padStart(6)} | ${fixed(q.job.statements, 1).padStart(9)}`,
    );
  }
  lines.push(
    '',
    `Workers (${results.size.accounts} accounts x ${results.size.contacts} contacts, PostgreSQL):`,
  );
  lines.push(
    '  workers | round | syncs/min | lag p50 s | lag p99 s | CPU-ms/sync | stmts/sync | peak/cap per upstream | 429s | overlaps | duplicates | contacts/people',
  );
  for (const run of results.runs) {
    for (const [name, round] of [
      ['full', run.full],
      ['quiet', run.quiet],
    ] as const) {
      lines.push(
        `  ${String(run.workers).padStart(7)} | ${name.padEnd(5)} | ${fixed(round.perMinute, 0).padStart(9)} | ${fixed(round.lagP50Ms / 1000).padStart(9)} | ${fixed(round.lagP99Ms / 1000).padStart(9)} | ${fixed(round.cpuMsPerSync).padStart(11)} | ${fixed(round.statementsPerSync).padStart(10)} | ${Object.values(
          run.peakPerUpstream,
        )
          .map((peak) => `${peak}/${run.cap}`)
          .join(', ')
          .padStart(
            21,
          )} | ${String(run.http429).padStart(4)} | ${String(run.overlappingRuns).padStart(8)} | ${String(run.duplicatePeople).padStart(10)} | ${run.contacts.found}/${run.contacts.expected}`,
      );
    }
  }
  if (results.problems.length > 0) lines.push('', 'PROBLEMS:', ...results.problems.map((p) => `  ${p}`));
  return lines.join('\n');
}
