import type { BackfillSummary } from '@contacts/core';
import type { BenchDriver } from '../bench-database.js';
import type { CheckResult } from '../run-types.js';
import type { ProxyCounts } from './counting-proxy.js';

/**
 * The CardDAV scenarios, in the order they run: a module (a butler host, or `contacts serve`)
 * syncs the book in full twice, is restarted (a new provider, whose card cache is empty: what a
 * one-shot `contacts sync --full` is), syncs in full again, then incrementally after 1% of the
 * cards were edited on the server, then once more with nothing changed (the quiet poll).
 */
export const CARDDAV_SCENARIOS = [
  'full-initial',
  'full-unchanged',
  'full-unchanged-restart',
  'incremental-changed',
  'incremental-quiet',
] as const;

/** One of {@link CARDDAV_SCENARIOS}. */
export type CardDavScenarioName = (typeof CARDDAV_SCENARIOS)[number];

/** What each scenario is, in words, for progress lines. */
export const CARDDAV_SCENARIO_TITLES: Record<CardDavScenarioName, string> = {
  'full-initial': 'first full sync (empty CRM)',
  'full-unchanged': 'second full sync, nothing changed (same module)',
  'full-unchanged-restart': 'full sync after a restart, nothing changed (empty card cache)',
  'incremental-changed': 'incremental sync after 1% of the cards were edited',
  'incremental-quiet': 'incremental sync, no change (quiet poll)',
};

/** Short names for table rows. */
export const CARDDAV_SCENARIO_LABELS: Record<CardDavScenarioName, string> = {
  'full-initial': 'full sync, empty CRM',
  'full-unchanged': 'full sync, unchanged',
  'full-unchanged-restart': 'full, unchanged, restarted',
  'incremental-changed': 'incremental, 1% edited',
  'incremental-quiet': 'incremental, quiet poll',
};

/** Where the module finds the CardDAV server (the counting proxy), and the account on it. */
export interface CardDavConnection {
  url: string;
  username: string;
  password: string;
}

/** One CardDAV run of one driver: what the parent hands a child process. */
export interface CardDavJob {
  driver: BenchDriver;
  /** Cards in the Radicale book. */
  cards: number;
  /** Cards edited on the server before the incremental sync. */
  edits: number;
  run: number;
  runs: number;
  pgliteTemplate?: string;
  postgres?: { adminUrl: string; syncDatabase: string };
}

/** One measured CardDAV sync. */
export interface CardDavScenarioRun {
  scenario: CardDavScenarioName;
  mode: 'full' | 'incremental';
  completed: boolean;
  pages: number;
  wallMs: number;
  summary: BackfillSummary;
  statements: number;
  requests: ProxyCounts;
  peakRssBytes: number;
}

/** A correctness check on a CardDAV run (never a timing check). */
export type CardDavCheck = Omit<CheckResult, 'scenario'> & { scenario: CardDavScenarioName };

/** Everything one CardDAV run measured. */
export interface CardDavRunResult {
  driver: BenchDriver;
  cards: number;
  run: number;
  edited: number;
  afterFirstSync: { contacts: number; liveLinks: number };
  scenarios: CardDavScenarioRun[];
  processMaxRssBytes: number;
  checks: CardDavCheck[];
}

/** What a CardDAV run needs from the parent, which runs Radicale and the counting proxy. */
export interface CardDavControl {
  readonly connection: CardDavConnection;
  /** Edits `count` cards on the server (PUT straight to Radicale, not counted). */
  editCards(count: number): Promise<number>;
  resetRequests(): Promise<void>;
  requestCounts(): Promise<ProxyCounts>;
}
