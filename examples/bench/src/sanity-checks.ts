import { checkRecorder } from './check-recorder.js';
import type { CheckResult, RunResult, ScenarioName, ScenarioRun } from './run-types.js';

/**
 * The correctness checks of a run: each sync did what its scenario means (the first full sync
 * applied every contact it fetched, the unchanged full sync skipped or was told unchanged all, the incremental syncs
 * fetched exactly the change, or nothing), and the ceiling wrote the same rows. Never timing.
 *
 * @example
 * ```ts
 * const failed = checkRun(result).filter((c) => !c.ok);
 * ```
 */
export function checkRun(run: Omit<RunResult, 'checks'>): CheckResult[] {
  const { checks, expect, scenario, basics } = checkRecorder<
    ScenarioName,
    ScenarioRun['mode'],
    ScenarioRun,
    'ceiling' | 'fetch-floor'
  >(run.scenarios);

  const first = scenario('full-initial');
  if (first) {
    basics(first, 'full');
    expect(first.scenario, 'fetched = people in the book', run.bookPeople, first.summary.fetched);
    expect(
      first.scenario,
      'applied + failed = fetched',
      first.summary.fetched,
      first.summary.applied + first.summary.failed,
    );
    expect(first.scenario, 'CRM contacts = created', first.summary.created, run.afterFirstSync.contacts);
    expect(
      first.scenario,
      'live source links = applied',
      first.summary.applied,
      run.afterFirstSync.liveLinks,
    );
  }
  const unchanged = scenario('full-unchanged');
  if (unchanged) {
    basics(unchanged, 'full');
    // A provider that asks the engine's versions (knownEtags) reports unchanged people without sending them.
    expect(
      unchanged.scenario,
      'fetched + unchanged = people in the book',
      run.bookPeople,
      unchanged.summary.fetched + unchanged.summary.unchanged,
    );
    expect(unchanged.scenario, 'skipped = fetched', unchanged.summary.fetched, unchanged.summary.skipped);
    expect(unchanged.scenario, 'applied', 0, unchanged.summary.applied);
    expect(unchanged.scenario, 'deleted', 0, unchanged.summary.deleted);
  }
  const changed = scenario('incremental-changed');
  if (changed) {
    const { edited, deleted, added } = run.changes;
    basics(changed, 'incremental');
    expect(changed.scenario, 'fetched = changed people', edited + deleted + added, changed.summary.fetched);
    expect(changed.scenario, 'applied = edited + added', edited + added, changed.summary.applied);
    expect(changed.scenario, 'deleted', deleted, changed.summary.deleted);
    expect(changed.scenario, 'created = added', added, changed.summary.created);
  }
  const quiet = scenario('incremental-quiet');
  if (quiet) {
    basics(quiet, 'incremental');
    expect(quiet.scenario, 'fetched', 0, quiet.summary.fetched);
    expect(quiet.scenario, 'HTTP requests', 1, quiet.requests.total);
  }
  if (run.fetchFloor) {
    const { deleted, added } = run.changes;
    expect(
      'fetch-floor',
      'contacts = people in the book',
      run.bookPeople - deleted + added,
      run.fetchFloor.contacts,
    );
  }
  expect(
    'ceiling',
    'contacts = CRM contacts after the first sync',
    run.afterFirstSync.contacts,
    run.ceiling.contacts,
  );
  expect('ceiling', 'rows = rows after the first sync', run.afterFirstSync.rows, run.ceiling.totalRows);
  return checks;
}
