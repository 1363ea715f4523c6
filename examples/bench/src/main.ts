// `pnpm bench`: parses the command line, runs the matrix (each run in a child process), writes
// the results file, prints the table on stdout and progress on stderr. See `pnpm bench --help`.

import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { writeBenchChart } from './bench-chart.js';
import { BENCH_DATABASE_URL_ENV } from './bench-database.js';
import { runBenchmark } from './benchmark.js';
import { type BenchCommand, parseCommand, USAGE, UsageError } from './cli-options.js';
import { compareResults } from './compare-results.js';
import { FLEET_SIZES, formatFleetResults, runFleetBench } from './fleet/fleet-bench.js';
import { formatResults } from './format-results.js';
import { summarizeProfileDirectory } from './profile-directory.js';
import { ResultsFileError, readResultsFile, writeResultsFile } from './results-file.js';

const progress = (line: string) => process.stderr.write(`${line}\n`);

async function run(command: Extract<BenchCommand, { kind: 'run' }>): Promise<number> {
  // Read the old file first: a typo in --compare should not cost a 10-minute run.
  const old = command.compare ? await readResultsFile(command.compare) : undefined;
  const what = [
    ...(command.google ? [`Google sizes ${command.sizes.join(', ')}, ${command.runs} run(s) each`] : []),
    ...(command.carddavCards > 0
      ? [`CardDAV ${command.carddavCards} cards, ${command.carddavRuns} run(s) each`]
      : []),
  ];
  progress(
    `bench: drivers ${command.drivers.join(', ')}; ${what.join('; ') || 'nothing to run'}` +
      (command.drivers.includes('postgres') ? '' : ` (set ${BENCH_DATABASE_URL_ENV} to add PostgreSQL)`),
  );
  const results = await runBenchmark({ ...command, progress });
  await writeResultsFile(command.out, results);
  console.log(formatResults(results));
  console.log(`\nresults: ${command.out}`);
  console.log(
    (await writeBenchChart(command.chart, results))
      ? `chart: ${command.chart}`
      : 'chart: none (no Google case to draw)',
  );
  if (command.cpuProfDir) console.log(`\n${await summarizeProfileDirectory(command.cpuProfDir)}`);
  if (old) console.log(`\n${compareResults(old, results)}`);
  if (!results.ok) progress('bench: FAILED (see the failed checks and errors above)');
  return results.ok ? 0 : 1;
}

async function runFleet(command: Extract<BenchCommand, { kind: 'fleet' }>): Promise<number> {
  const size = command.quick ? FLEET_SIZES.quick : FLEET_SIZES.full;
  const results = await runFleetBench({
    adminUrl: command.postgresUrl,
    size: command.accounts === undefined ? size : { ...size, accounts: command.accounts },
    seed: command.seed,
    progress,
  });
  await mkdir(dirname(command.out), { recursive: true });
  await writeFile(command.out, `${JSON.stringify(results, null, 2)}\n`);
  console.log(formatFleetResults(results));
  console.log(`\nresults: ${command.out}`);
  if (!results.ok) progress('bench: FAILED (see the problems above)');
  return results.ok ? 0 : 1;
}

async function main(argv: readonly string[]): Promise<number> {
  let command: BenchCommand;
  try {
    command = parseCommand(argv, process.env, process.env.INIT_CWD ?? process.cwd());
    switch (command.kind) {
      case 'help':
        console.log(USAGE);
        return 0;
      case 'compare':
        console.log(
          compareResults(await readResultsFile(command.old), await readResultsFile(command.current)),
        );
        return 0;
      case 'chart':
        if (!(await writeBenchChart(command.chart, await readResultsFile(command.from)))) {
          progress(`bench: ${command.from} holds no Google case to draw.`);
          return 1;
        }
        console.log(`chart: ${command.chart}`);
        return 0;
      case 'run':
        return await run(command);
      case 'fleet':
        return await runFleet(command);
    }
  } catch (error) {
    if (!(error instanceof UsageError || error instanceof ResultsFileError)) throw error;
    progress(
      `bench: ${error.message}${error instanceof UsageError ? '\nRun `pnpm bench --help` for the options.' : ''}`,
    );
    return 2;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    progress(`bench: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    process.exitCode = 1;
  },
);
