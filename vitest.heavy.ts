/**
 * The heavy test files: real child processes killed and restarted, thousands of people per run,
 * contending processes, slow end-to-end runs. They run under `pnpm test:heavy` (CI runs it after
 * `pnpm test`), not under `pnpm test`, which stays under 4 minutes on two cores. Paths are relative
 * to the repository root. The share of the whole suite's time is from one measured run (see the
 * README's "Tests" section); a file moves here when it costs much and asserts what the fast suite's
 * in-process tests already cover in the small.
 */
export const HEAVY_TEST_FILES: readonly string[] = [
  // ~24 %: `contacts sync` as a child process, SIGKILLed at seeded moments, 3,000 people, 2 seeds.
  'packages/butler-module/src/reliability/crash-resume.test.ts',
  // ~6 %: 19 `contacts` child processes against silent servers, each waiting out its timeout.
  'packages/butler-module/src/cli/unreachable-database.test.ts',
  // Three sync worker processes on pg-boss (PostgreSQL only), one SIGKILLed and one SIGSTOPped
  // past its heartbeat mid-sync, then a clean run to compare with.
  'packages/butler-module/src/reliability/worker-processes.test.ts',
  // ~5 %: two `contacts` processes syncing one database at once.
  'packages/butler-module/src/reliability/two-processes.test.ts',
  // ~5 %: every fault in every phase of a full and an incremental sync, through the emulator.
  'packages/butler-module/src/reliability/provider-faults.test.ts',
  // ~2 %: property-based hostile pages through the emulator, the provider and the runtime.
  'packages/butler-module/src/reliability/hostile-payloads.test.ts',
  // ~3 %: the quickstart demo end to end (CI also runs `pnpm demo` and checks its output).
  'examples/quickstart/src/demo.test.ts',
  // `pnpm emulator` as child processes (pnpm, its shell, node) stopped by signals, its parent's
  // exit and stdin closing: five starts of pnpm and tsx.
  'examples/quickstart/src/emulator-main.test.ts',
  // ~2 %: `contacts serve` as a child process over stdio, SIGTERM with a sync in flight.
  'packages/butler-module/src/cli/serve.test.ts',
  // ~2 %: the benchmark harness on every scenario (CI also runs `pnpm bench --quick`).
  'examples/bench/src/harness.test.ts',
  // ~5 %: `contacts auth google` in headless Chromium against the emulator's consent page (one
  // browser start; the in-process auth tests stay in the fast suite).
  'packages/butler-module/src/cli/auth-browser.test.ts',
  // ~5 %: two embedded databases made on disk (initdb each) to read the settings they run with.
  'packages/butler-module/src/cli/embedded-settings.test.ts',
  // Six processes contending for a stale data-directory lock, 150 rounds (its single-process
  // cases stay in data-dir-lock.test.ts).
  'packages/butler-module/src/cli/data-dir-lock-contenders.test.ts',
];
