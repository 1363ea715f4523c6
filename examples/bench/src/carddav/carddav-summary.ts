import { z } from 'zod';
import { median } from '../aggregate.js';
import { BENCH_DRIVERS } from '../bench-database.js';
import {
  CARDDAV_SCENARIO_TITLES,
  CARDDAV_SCENARIOS,
  type CardDavRunResult,
  type CardDavScenarioName,
} from './carddav-types.js';

const count = z.number().int().nonnegative();
const ms = z.number().nonnegative();

/** One CardDAV scenario of one driver, over its runs. */
export const CardDavScenarioSummary = z.object({
  title: z.string(),
  /** Median wall time of the runs, and each run's. */
  wallMs: ms,
  wallMsRuns: z.array(ms),
  /** Median time during which a request was waiting for Radicale (at the counting proxy). */
  serverBusyMs: ms,
  /** Cards the sync fetched (handed over by the provider). */
  contacts: count,
  contactsPerSecond: z.number().nonnegative().nullable(),
  httpRequests: count,
  httpRequestsByMethod: z.record(z.string(), count),
  statements: count,
  pages: count,
  peakRssBytes: count,
  summary: z.object({
    fetched: count,
    applied: count,
    skipped: count,
    deleted: count,
    created: count,
    updated: count,
    conflicts: count,
    failed: count,
  }),
});

/** One driver's CardDAV runs on a Radicale book of `cards`. */
export const CardDavCaseSummary = z.object({
  driver: z.enum(BENCH_DRIVERS as [string, ...string[]]),
  cards: count,
  runs: count,
  edited: count,
  scenarios: z.object(
    Object.fromEntries(CARDDAV_SCENARIOS.map((s) => [s, CardDavScenarioSummary])) as Record<
      CardDavScenarioName,
      typeof CardDavScenarioSummary
    >,
  ),
  processMaxRssBytes: count,
  checks: z.object({
    passed: count,
    failed: z.array(
      z.object({
        scenario: z.string(),
        name: z.string(),
        ok: z.boolean(),
        expected: z.union([z.number(), z.string(), z.boolean()]),
        actual: z.union([z.number(), z.string(), z.boolean()]),
        run: count,
      }),
    ),
  }),
});

export type CardDavScenarioSummary = z.infer<typeof CardDavScenarioSummary>;
export type CardDavCaseSummary = z.infer<typeof CardDavCaseSummary>;

const round = (value: number, digits = 1): number => Number(value.toFixed(digits));

/**
 * Folds the CardDAV runs of one driver into what the results file holds: median wall and server
 * times, the highest RSS, every failed check. Counts (requests, statements, summaries) come from
 * the first run: they are deterministic.
 *
 * @example
 * ```ts
 * summarizeCardDavCase(runs).scenarios['incremental-quiet'].httpRequests; // 1
 * ```
 */
export function summarizeCardDavCase(runs: readonly CardDavRunResult[]): CardDavCaseSummary {
  const first = runs[0];
  if (!first) throw new Error('summarizeCardDavCase needs at least one run');
  const scenario = (name: CardDavScenarioName): CardDavScenarioSummary => {
    const present = runs
      .map((r) => r.scenarios.find((s) => s.scenario === name))
      .filter((s) => s !== undefined);
    const one = present[0];
    if (!one || present.length !== runs.length) throw new Error(`scenario ${name} is missing from a run`);
    const wallMs = median(present.map((s) => s.wallMs));
    const contacts = one.summary.fetched;
    return {
      title: CARDDAV_SCENARIO_TITLES[name],
      wallMs: round(wallMs),
      wallMsRuns: present.map((s) => round(s.wallMs)),
      serverBusyMs: round(median(present.map((s) => s.requests.serverBusyMs))),
      contacts,
      contactsPerSecond: contacts > 0 && wallMs > 0 ? round((contacts * 1000) / wallMs) : null,
      httpRequests: one.requests.total,
      httpRequestsByMethod: { ...one.requests.byMethod },
      statements: one.statements,
      pages: one.pages,
      peakRssBytes: Math.max(...present.map((s) => s.peakRssBytes)),
      summary: { ...one.summary },
    };
  };
  const failed = runs.flatMap((r) => r.checks.filter((c) => !c.ok).map((c) => ({ ...c, run: r.run })));
  return {
    driver: first.driver,
    cards: first.cards,
    runs: runs.length,
    edited: first.edited,
    scenarios: Object.fromEntries(
      CARDDAV_SCENARIOS.map((name) => [name, scenario(name)]),
    ) as CardDavCaseSummary['scenarios'],
    processMaxRssBytes: Math.max(...runs.map((r) => r.processMaxRssBytes)),
    checks: { passed: runs.reduce((n, r) => n + r.checks.filter((c) => c.ok).length, 0), failed },
  };
}
