import type { BackfillSummary } from '@contacts/core';
import type { BenchDriver } from './bench-database.js';
import type { CeilingResult } from './ceiling.js';
import type { ChangeSet } from './change-set.js';
import type { CpuTimes } from './cpu-meter.js';
import type { RequestCounts } from './emulator-control.js';
import type { FetchFloorResult } from './fetch-floor.js';

/** The four syncs measured for every driver and size, in the order they run. */
export const SCENARIOS = [
  'full-initial',
  'full-unchanged',
  'incremental-changed',
  'incremental-quiet',
] as const;

/** One of {@link SCENARIOS}. */
export type ScenarioName = (typeof SCENARIOS)[number];

/** What each scenario is, in words, for progress lines and tables. */
export const SCENARIO_TITLES: Record<ScenarioName, string> = {
  'full-initial': 'first full sync (empty CRM)',
  'full-unchanged': 'second full sync, nothing changed',
  'incremental-changed': 'incremental sync after 1% changed',
  'incremental-quiet': 'incremental sync, no change (quiet poll)',
};

/** One benchmark run of one driver and size: what the parent hands a child process. */
export interface CaseJob {
  driver: BenchDriver;
  /** People in the generated address book. */
  size: number;
  /** 1-based. */
  run: number;
  runs: number;
  /** The share of the book changed before the incremental sync (0.01). */
  changeFraction: number;
  /** PGlite only: the migrated data directory the parent dumped, to start every database from. */
  pgliteTemplate?: string;
  /** PostgreSQL only: the server URL and the throwaway databases to create on it. */
  postgres?: { adminUrl: string; syncDatabase: string; ceilingDatabase: string };
  /** Write a V8 CPU profile of every phase (each sync, the fetch floor, the ceiling) here. */
  cpuProfDir?: string;
}

/** One measured sync cycle. */
export interface ScenarioRun {
  scenario: ScenarioName;
  mode: 'full' | 'incremental';
  completed: boolean;
  pages: number;
  wallMs: number;
  /** Time spent in the provider (HTTP, client parsing, normalisation); the rest is engine + database. */
  providerMs: number;
  summary: BackfillSummary;
  tombstonedUnseen: number;
  statements: number;
  requests: RequestCounts;
  /** Max of `process.memoryUsage().rss` sampled every 50 ms during the sync. */
  peakRssBytes: number;
  /** CPU of the sync's process, the database server's backends and the emulator's process. */
  cpu: CpuTimes;
  /** V8 heap in use after a full GC once the sync ended (null without `--expose-gc`). */
  heapAfterGcBytes: number | null;
}

/** A correctness check on a run (never a timing check). */
export interface CheckResult {
  scenario: ScenarioName | 'ceiling' | 'fetch-floor';
  name: string;
  ok: boolean;
  expected: number | string | boolean;
  actual: number | string | boolean;
}

/** Everything one run measured. */
export interface RunResult {
  driver: BenchDriver;
  size: number;
  run: number;
  /** Live people in the book before the first sync. */
  bookPeople: number;
  changes: ChangeSet;
  /** CRM contacts, live source links and rows of the synced tables right after the first full sync. */
  afterFirstSync: { contacts: number; liveLinks: number; rows: number };
  scenarios: ScenarioRun[];
  ceiling: CeilingResult;
  /** The provider alone paging through the book (after the syncs: the book as they left it). */
  fetchFloor: FetchFloorResult;
  /** `process.resourceUsage().maxRSS` after the four syncs, before the ceiling's second database. */
  processMaxRssBytes: number;
  checks: CheckResult[];
}
