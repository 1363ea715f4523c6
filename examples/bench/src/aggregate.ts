import { medianCpu } from './cpu-summary.js';
import { summarizeFetchFloor } from './fetch-floor.js';
import type { CaseSummary, ScenarioSummary } from './results-file.js';
import { type RunResult, SCENARIO_TITLES, SCENARIOS, type ScenarioName } from './run-types.js';

/** The median of a non-empty list (the mean of the two middle values for an even count). */
const firstSyncOf = (run: RunResult) => run.scenarios.find((s) => s.scenario === 'full-initial');

export function median(values: readonly number[]): number {
  if (values.length === 0) throw new Error('median of nothing');
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Rounds to `digits` decimals: people read the file too, and no measurement here has 15 digits. */
const round = (value: number, digits = 1): number => Number(value.toFixed(digits));
const roundOrNull = (value: number | null, digits = 1): number | null =>
  value === null ? null : round(value, digits);
const perSecond = (n: number, ms: number): number | null => (n > 0 && ms > 0 ? (n * 1000) / ms : null);

/**
 * Folds the runs of one driver and size into what the results file holds: median wall times,
 * rates from the medians, the highest RSS of any run, and every failed check. Counts
 * (statements, requests, summaries) come from the first run: they are deterministic.
 *
 * @example
 * ```ts
 * const summary = summarizeCase(runs); // runs: RunResult[] of pglite, N=1,000
 * summary.scenarios['full-initial'].fractionOfCeiling; // 0.62
 * ```
 */
export function summarizeCase(runs: readonly RunResult[]): CaseSummary {
  const first = runs[0];
  if (!first) throw new Error('summarizeCase needs at least one run');
  const ceilingMs = median(runs.map((r) => r.ceiling.wallMs));
  const firstSync = firstSyncOf(first);
  const sourceContacts = firstSync?.summary.fetched ?? first.bookPeople;
  const ceilingRate = perSecond(sourceContacts, ceilingMs);

  const scenario = (name: ScenarioName): ScenarioSummary => {
    const all = runs.map((r) => r.scenarios.find((s) => s.scenario === name));
    const present = all.filter((s) => s !== undefined);
    const one = present[0];
    if (!one || present.length !== runs.length) throw new Error(`scenario ${name} is missing from a run`);
    const wallMs = median(present.map((s) => s.wallMs));
    // Listed, whether sent (fetched) or reported unchanged by the provider (neither sent nor written).
    const contacts = one.summary.fetched + one.summary.unchanged;
    const contactsPerSecond = perSecond(contacts, wallMs);
    return {
      title: SCENARIO_TITLES[name],
      wallMs: round(wallMs),
      wallMsRuns: present.map((s) => round(s.wallMs)),
      providerMs: round(median(present.map((s) => s.providerMs))),
      contacts,
      contactsPerSecond: roundOrNull(contactsPerSecond),
      fractionOfCeiling:
        contactsPerSecond !== null && ceilingRate !== null ? round(contactsPerSecond / ceilingRate, 4) : null,
      statements: one.statements,
      statementsPerContact: contacts > 0 ? round(one.statements / contacts, 4) : null,
      httpRequests: one.requests.total,
      httpRequestsByEndpoint: { ...one.requests.byEndpoint },
      peakRssBytes: Math.max(...present.map((s) => s.peakRssBytes)),
      heapAfterGcBytes: present.every((s) => typeof s.heapAfterGcBytes === 'number')
        ? Math.max(...present.map((s) => s.heapAfterGcBytes as number))
        : null,
      pages: one.pages,
      summary: { ...one.summary },
    };
  };

  const firstSyncCpus = runs.map((r) => firstSyncOf(r)?.cpu);
  const failed = runs.flatMap((r) => r.checks.filter((c) => !c.ok).map((c) => ({ ...c, run: r.run })));
  return {
    driver: first.driver,
    size: first.size,
    runs: runs.length,
    bookPeople: first.bookPeople,
    changes: { ...first.changes },
    scenarios: Object.fromEntries(
      SCENARIOS.map((name) => [name, scenario(name)]),
    ) as CaseSummary['scenarios'],
    ceiling: {
      wallMs: round(ceilingMs),
      wallMsRuns: runs.map((r) => round(r.ceiling.wallMs)),
      contacts: first.ceiling.contacts,
      sourceContacts,
      contactsPerSecond: roundOrNull(ceilingRate),
      rows: { ...first.ceiling.rows },
      totalRows: first.ceiling.totalRows,
      rowsPerSecond: roundOrNull(perSecond(first.ceiling.totalRows, ceilingMs)),
      statements: first.ceiling.statements,
      pages: first.ceiling.pages,
    },
    ...(runs.every((r) => r.fetchFloor)
      ? {
          fetchFloor: summarizeFetchFloor(
            runs.map((r) => r.fetchFloor),
            { ceilingMs, firstSyncMs: median(runs.map((r) => firstSyncOf(r)?.wallMs ?? 0)) },
            median,
          ),
        }
      : {}),
    ...(firstSyncCpus.every((cpu) => cpu !== undefined)
      ? {
          cpu: {
            firstSync: medianCpu(firstSyncCpus, median),
            ceiling: medianCpu(
              runs.map((r) => r.ceiling.cpu),
              median,
            ),
            fetchFloor: medianCpu(
              runs.map((r) => r.fetchFloor.cpu),
              median,
            ),
          },
        }
      : {}),
    processMaxRssBytes: Math.max(...runs.map((r) => r.processMaxRssBytes)),
    checks: { passed: runs.reduce((n, r) => n + r.checks.filter((c) => c.ok).length, 0), failed },
  };
}
