import { isAbsolute, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { BENCH_DATABASE_URL_ENV, BENCH_DRIVERS, type BenchDriver } from './bench-database.js';

/** Sizes of the full matrix. */
export const DEFAULT_SIZES = [1000, 5000, 25_000] as const;
/** Cards in the CardDAV book on Radicale: the full run's, and `--quick`'s (CI). */
export const DEFAULT_CARDDAV_CARDS = 5000;
export const QUICK_CARDDAV_CARDS = 200;
/** The scenario families `--sources` picks from. */
export const BENCH_SOURCES = ['google', 'carddav'] as const;
/** Where results go unless `--out` says otherwise (git-ignored). */
export const DEFAULT_OUT = fileURLToPath(new URL('../results/latest.json', import.meta.url));
/** Where `--fleet` results go unless `--out` says otherwise (git-ignored). */
export const DEFAULT_FLEET_OUT = fileURLToPath(new URL('../results/fleet-latest.json', import.meta.url));

/** What the command line asked for. */
export type BenchCommand =
  | { kind: 'help' }
  | { kind: 'compare'; old: string; current: string }
  /** `--fleet` / `--fleet-quick`: the fleet benchmark on PostgreSQL (queue cost, worker processes). */
  | {
      kind: 'fleet';
      quick: boolean;
      seed: number;
      out: string;
      postgresUrl: string;
      /** Accounts of the worker runs instead of the size's (`--fleet-accounts`). */
      accounts: number | undefined;
    }
  /** Draws the chart of an existing results file (`--chart FILE --from RESULTS.json`), no run. */
  | { kind: 'chart'; from: string; chart: string }
  | {
      kind: 'run';
      sizes: number[];
      runs: number;
      drivers: BenchDriver[];
      seed: number;
      out: string;
      /** The SVG chart of the run (default: `out` with `.svg` for `.json`). */
      chart: string;
      quick: boolean;
      /** The Google scenarios run. */
      google: boolean;
      /** Cards in the CardDAV book (0: no CardDAV scenarios). */
      carddavCards: number;
      carddavRuns: number;
      postgresUrl: string | undefined;
      compare: string | undefined;
      cpuProfDir: string | undefined;
    };

/** A command line the benchmark cannot run; the message says which flag and why. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** `pnpm bench --help`. */
export const USAGE = `Usage: pnpm bench [options]

Syncs a generated Google address book (local emulator) into an empty CRM through the real
provider, engine and database, for every driver and size: first full sync, unchanged full sync,
incremental sync after 1% changed, quiet incremental poll, and the database ceiling (the same
rows written by a plain set-based insert). Then the CardDAV scenarios: a Radicale book synced
through the contacts module (first full sync, unchanged full syncs before and after a restart,
incremental after 1% of the cards were edited, quiet poll), requests counted by a proxy. Each
run is its own child process.

Options:
  --quick              N=1,000 and a CardDAV book of ${QUICK_CARDDAV_CARDS}, one run (what CI runs); no size or run flags
  --sizes 1000,5000    people in the Google address book (default 1000,5000,25000)
  --runs 3             runs per driver and size; wall times are their median (default 3)
  --sources google,carddav
                       which scenarios run (default both; CardDAV is skipped with a sentence
                       when Radicale is not installed: apt-get install -y radicale)
  --carddav-cards 5000 cards in the Radicale book (default ${DEFAULT_CARDDAV_CARDS}; 0: no CardDAV scenarios)
  --carddav-runs 1     CardDAV runs per driver (default 1: a run of 5,000 cards takes minutes)
  --drivers pglite,postgres
                       default pglite, plus postgres when ${BENCH_DATABASE_URL_ENV} is set
  --seed 1             the address book's seed (default 1)
  --out FILE           results JSON (default examples/bench/results/latest.json)
  --chart FILE         the run's SVG chart: first full sync contacts/s and peak RSS against the
                       book size, per driver (default: the --out file with .svg for .json)
  --from RESULTS.json  with --chart: draw RESULTS.json (the checked-in baseline, say), no run
  --compare OLD.json   after the run, print the deltas against OLD.json
  --to NEW.json        with --compare: compare NEW.json against OLD.json, no run
  --cpu-prof DIR       write a V8 CPU profile of every phase (each sync, fetch floor, ceiling) of
                       every Google run to DIR, and print where each phase's time went
  --fleet              the fleet benchmark instead (PostgreSQL only): the queue's cost per job at
                       1,000, 10,000 and 100,000 accounts, then 1,000 accounts x 200 contacts synced
                       by 1, 2 and 4 worker processes (full and quiet rounds); with --seed, --out
  --fleet-quick        the same at CI size (about half a minute): queue at 1,000, 12 accounts, 1 and 2 workers
  --fleet-accounts 200 with --fleet: accounts of the worker runs (default 1,000; the queue sizes stay)
  -h, --help           this text

PostgreSQL: ${BENCH_DATABASE_URL_ENV}=postgres://user@host:5432/db (a throwaway database is
created next to it for every run and dropped after). Relative paths are resolved from the
directory pnpm was started in (INIT_CWD). Exit code 1 when a sync fails or a count is wrong,
2 for a bad command line. No timing is ever asserted.`;

const OPTIONS = {
  quick: { type: 'boolean' },
  sizes: { type: 'string' },
  runs: { type: 'string' },
  drivers: { type: 'string' },
  seed: { type: 'string' },
  out: { type: 'string' },
  compare: { type: 'string' },
  to: { type: 'string' },
  chart: { type: 'string' },
  from: { type: 'string' },
  'cpu-prof': { type: 'string' },
  sources: { type: 'string' },
  fleet: { type: 'boolean' },
  'fleet-quick': { type: 'boolean' },
  'fleet-accounts': { type: 'string' },
  'carddav-cards': { type: 'string' },
  'carddav-runs': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** The chart's default path: the results file's, `.svg` for `.json` (or added). */
function chartBeside(out: string): string {
  return out.endsWith('.json') ? `${out.slice(0, -'.json'.length)}.svg` : `${out}.svg`;
}

function integer(flag: string, text: string, min: number, max: number): number {
  const value = Number(text.replaceAll('_', ''));
  if (!/^\d[\d_]*$/.test(text.trim()) || !Number.isSafeInteger(value) || value < min || value > max) {
    throw new UsageError(
      `--${flag}: expected a whole number from ${min} to ${max}, got ${JSON.stringify(text)}.`,
    );
  }
  return value;
}

function list(flag: string, text: string): string[] {
  const items = text.split(',').map((s) => s.trim());
  if (items.some((s) => s === ''))
    throw new UsageError(`--${flag}: expected a comma-separated list, got ${JSON.stringify(text)}.`);
  return items;
}

/**
 * Parses the benchmark's command line (`node:util` parseArgs, strict) and checks it: unknown
 * flags, missing values, bad numbers, an unknown driver, PostgreSQL without its URL and
 * contradictory flags are all {@link UsageError}s naming the flag.
 *
 * @example
 * ```ts
 * parseCommand(['--sizes', '1000,5000', '--runs', '1'], process.env, process.cwd());
 * ```
 */
export function parseCommand(argv: readonly string[], env: NodeJS.ProcessEnv, cwd: string): BenchCommand {
  let values: ReturnType<typeof parseArgs<{ options: typeof OPTIONS; args: string[] }>>['values'];
  try {
    ({ values } = parseArgs({ args: [...argv], options: OPTIONS, strict: true, allowPositionals: false }));
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  if (values.help) return { kind: 'help' };
  const path = (file: string) => (isAbsolute(file) ? file : resolve(cwd, file));
  const runFlags = (
    [
      'quick',
      'sizes',
      'runs',
      'drivers',
      'seed',
      'out',
      'cpu-prof',
      'sources',
      'carddav-cards',
      'carddav-runs',
    ] as const
  ).filter((f) => values[f] !== undefined);

  if (values.from !== undefined) {
    if (values.chart === undefined)
      throw new UsageError('--from needs --chart FILE: it names the SVG to write.');
    const others = [...runFlags, ...(['compare', 'to'] as const).filter((f) => values[f] !== undefined)];
    if (others.length > 0) {
      throw new UsageError(
        `--from draws a results file without running; drop ${others.map((f) => `--${f}`).join(', ')}.`,
      );
    }
    return { kind: 'chart', from: path(values.from), chart: path(values.chart) };
  }

  if (values.to !== undefined) {
    if (values.compare === undefined)
      throw new UsageError('--to needs --compare OLD.json: it names the newer file.');
    const others = [...runFlags, ...(values.chart === undefined ? [] : (['chart'] as const))];
    if (others.length > 0) {
      throw new UsageError(
        `--to compares two files without running; drop ${others.map((f) => `--${f}`).join(', ')}.`,
      );
    }
    return { kind: 'compare', old: path(values.compare), current: path(values.to) };
  }

  if (values.fleet || values['fleet-quick']) {
    const others = [
      ...runFlags,
      ...(['compare', 'to', 'chart'] as const).filter((f) => values[f] !== undefined),
    ].filter((f) => f !== 'seed' && f !== 'out');
    if (values.fleet && values['fleet-quick']) throw new UsageError('--fleet or --fleet-quick, not both.');
    if (values['fleet-quick'] && values['fleet-accounts'] !== undefined) {
      throw new UsageError('--fleet-accounts sizes a --fleet run; --fleet-quick has its own size.');
    }
    if (others.length > 0) {
      throw new UsageError(
        `--fleet takes --seed and --out only; drop ${others.map((f) => `--${f}`).join(', ')}.`,
      );
    }
    const fleetUrl = env[BENCH_DATABASE_URL_ENV]?.trim();
    if (!fleetUrl || !URL.canParse(fleetUrl)) {
      throw new UsageError(
        `--fleet runs on PostgreSQL: set ${BENCH_DATABASE_URL_ENV}, e.g. ${BENCH_DATABASE_URL_ENV}=postgres://postgres@127.0.0.1:5432/test.`,
      );
    }
    return {
      kind: 'fleet',
      quick: values['fleet-quick'] === true,
      seed: values.seed === undefined ? 1 : integer('seed', values.seed, 0, 2 ** 31),
      out: values.out === undefined ? DEFAULT_FLEET_OUT : path(values.out),
      postgresUrl: fleetUrl,
      accounts:
        values['fleet-accounts'] === undefined
          ? undefined
          : integer('fleet-accounts', values['fleet-accounts'], 1, 100_000),
    };
  }

  const quick = values.quick === true;
  if (
    quick &&
    (values.sizes !== undefined ||
      values.runs !== undefined ||
      values['carddav-cards'] !== undefined ||
      values['carddav-runs'] !== undefined)
  ) {
    throw new UsageError(
      `--quick is N=1,000, ${QUICK_CARDDAV_CARDS} CardDAV cards and one run; drop --sizes/--runs/--carddav-cards/--carddav-runs, or drop --quick.`,
    );
  }
  let sources: string[] = [...BENCH_SOURCES];
  if (values.sources !== undefined) {
    sources = list('sources', values.sources);
    const unknown = sources.filter((x) => !(BENCH_SOURCES as readonly string[]).includes(x));
    if (unknown.length > 0)
      throw new UsageError(`--sources: unknown ${unknown.join(', ')}; use ${BENCH_SOURCES.join(', ')}.`);
  }
  const carddavCards = !sources.includes('carddav')
    ? 0
    : quick
      ? QUICK_CARDDAV_CARDS
      : values['carddav-cards'] === undefined
        ? DEFAULT_CARDDAV_CARDS
        : integer('carddav-cards', values['carddav-cards'], 0, 100_000);
  const carddavRuns =
    quick || values['carddav-runs'] === undefined
      ? 1
      : integer('carddav-runs', values['carddav-runs'], 1, 50);
  const sizes = quick
    ? [1000]
    : values.sizes === undefined
      ? [...DEFAULT_SIZES]
      : list('sizes', values.sizes).map((s) => integer('sizes', s, 10, 200_000));
  const runs = quick ? 1 : values.runs === undefined ? 3 : integer('runs', values.runs, 1, 50);
  const seed = values.seed === undefined ? 1 : integer('seed', values.seed, 0, 2 ** 31);

  const postgresUrl = env[BENCH_DATABASE_URL_ENV]?.trim() || undefined;
  let drivers: BenchDriver[];
  if (values.drivers === undefined) {
    drivers = postgresUrl ? ['pglite', 'postgres'] : ['pglite'];
  } else {
    const asked = list('drivers', values.drivers);
    const unknown = asked.filter((d) => !(BENCH_DRIVERS as readonly string[]).includes(d));
    if (unknown.length > 0) {
      throw new UsageError(
        `--drivers: unknown driver ${unknown.join(', ')}; use ${BENCH_DRIVERS.join(', ')}.`,
      );
    }
    drivers = BENCH_DRIVERS.filter((d) => asked.includes(d));
  }
  if (drivers.includes('postgres') && !postgresUrl) {
    throw new UsageError(
      `--drivers postgres needs ${BENCH_DATABASE_URL_ENV}, e.g. ${BENCH_DATABASE_URL_ENV}=postgres://postgres@127.0.0.1:5432/test.`,
    );
  }
  if (postgresUrl && !URL.canParse(postgresUrl)) {
    throw new UsageError(`${BENCH_DATABASE_URL_ENV} is not a URL.`);
  }
  const out = values.out === undefined ? DEFAULT_OUT : path(values.out);
  return {
    kind: 'run',
    sizes: [...new Set(sizes)],
    runs,
    drivers,
    seed,
    out,
    chart: values.chart === undefined ? chartBeside(out) : path(values.chart),
    quick,
    google: sources.includes('google'),
    carddavCards,
    carddavRuns,
    postgresUrl: drivers.includes('postgres') ? postgresUrl : undefined,
    compare: values.compare === undefined ? undefined : path(values.compare),
    cpuProfDir: values['cpu-prof'] === undefined ? undefined : path(values['cpu-prof']),
  };
}
