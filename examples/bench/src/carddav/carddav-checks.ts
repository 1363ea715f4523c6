import { checkRecorder } from '../check-recorder.js';
import type {
  CardDavCheck,
  CardDavRunResult,
  CardDavScenarioName,
  CardDavScenarioRun,
} from './carddav-types.js';

/**
 * The correctness checks of a CardDAV run: the first full sync created one CRM contact per card,
 * the unchanged full syncs skipped every card, the incremental sync fetched and updated exactly
 * the edited cards, and the quiet poll fetched nothing with one request (one book). Never timing.
 *
 * @example
 * ```ts
 * const failed = checkCardDavRun(result).filter((c) => !c.ok);
 * ```
 */
export function checkCardDavRun(run: Omit<CardDavRunResult, 'checks'>): CardDavCheck[] {
  const { checks, expect, scenario, basics } = checkRecorder<
    CardDavScenarioName,
    CardDavScenarioRun['mode'],
    CardDavScenarioRun
  >(run.scenarios);

  const first = scenario('full-initial');
  if (first) {
    basics(first, 'full');
    expect(first.scenario, 'fetched = cards in the book', run.cards, first.summary.fetched);
    expect(first.scenario, 'created = cards in the book', run.cards, first.summary.created);
    expect(first.scenario, 'CRM contacts = created', first.summary.created, run.afterFirstSync.contacts);
    expect(
      first.scenario,
      'live source links = applied',
      first.summary.applied,
      run.afterFirstSync.liveLinks,
    );
  }
  for (const name of ['full-unchanged', 'full-unchanged-restart'] as const) {
    const unchanged = scenario(name);
    if (!unchanged) continue;
    basics(unchanged, 'full');
    // A card the engine holds at its ETag comes back as `unchanged` (not downloaded, not sent);
    // one the provider sends anyway is fetched and skipped. Either way every card is accounted for.
    expect(
      name,
      'fetched + unchanged = cards in the book',
      run.cards,
      unchanged.summary.fetched + unchanged.summary.unchanged,
    );
    expect(name, 'skipped = fetched', unchanged.summary.fetched, unchanged.summary.skipped);
    expect(name, 'applied', 0, unchanged.summary.applied);
    expect(name, 'deleted', 0, unchanged.summary.deleted);
  }
  const changed = scenario('incremental-changed');
  if (changed) {
    basics(changed, 'incremental');
    expect(changed.scenario, 'fetched = edited cards', run.edited, changed.summary.fetched);
    expect(changed.scenario, 'updated = edited cards', run.edited, changed.summary.updated);
    expect(changed.scenario, 'created', 0, changed.summary.created);
  }
  const quiet = scenario('incremental-quiet');
  if (quiet) {
    basics(quiet, 'incremental');
    expect(quiet.scenario, 'fetched', 0, quiet.summary.fetched);
    expect(quiet.scenario, 'HTTP requests (one book)', 1, quiet.requests.total);
  }
  return checks;
}
