import { ContactsModule, DbCredentialStore } from '@contacts/butler-module';
import { queryRows } from '@contacts/schema';
import { type SQL, sql } from 'drizzle-orm';
import type { BenchDatabase, BenchDatabaseFactory } from '../bench-database.js';
import { formatBytes, formatCount, formatSeconds } from '../format-numbers.js';
import { processMaxRssBytes, sampleRss } from '../rss-sampler.js';
import { checkCardDavRun } from './carddav-checks.js';
import {
  CARDDAV_SCENARIO_TITLES,
  type CardDavControl,
  type CardDavJob,
  type CardDavRunResult,
  type CardDavScenarioName,
  type CardDavScenarioRun,
} from './carddav-types.js';

/** What {@link runCardDavCase} needs besides the job. */
export interface CardDavCaseDeps {
  control: CardDavControl;
  databases: BenchDatabaseFactory;
  progress: (line: string) => void;
}

/** A label for progress lines: `carddav pglite N=5,000 run 1/3`. */
export function cardDavLabel(job: Pick<CardDavJob, 'driver' | 'cards' | 'run' | 'runs'>): string {
  return `carddav ${job.driver} N=${formatCount(job.cards)} run ${job.run}/${job.runs}`;
}

async function countOf(t: BenchDatabase, query: SQL): Promise<number> {
  const [row] = await queryRows<{ n: number | string }>(t.db, query);
  return Number(row?.n ?? 0);
}

/**
 * A started module as a butler host runs it: the `[[modules.contacts.sources]]` table of a
 * CardDAV source, its credentials in the credential store, the default provider registry. No
 * sync on startup and a 15-minute schedule: the benchmark asks for each sync itself.
 */
async function startModule(target: BenchDatabase, control: CardDavControl): Promise<ContactsModule> {
  const module = new ContactsModule();
  await module.onStartup({
    config: {
      sync: { run_on_startup: false, interval_minutes: 15 },
      sources: [{ provider: 'carddav', url: control.connection.url }],
    },
    db: target.db,
    butlerSchema: target.butlerSchema,
    credentialStore: new DbCredentialStore({ db: target.db, butlerSchema: target.butlerSchema }),
  });
  return module;
}

/**
 * One CardDAV run on one driver, through the contacts module against Radicale (behind the
 * parent's counting proxy): the first full sync of the book into an empty CRM, a second full sync
 * with nothing changed, the same after a restart of the module, an incremental sync after the
 * server's cards were edited, and a quiet poll. A failed sync throws; wrong counts show in
 * `checks`.
 *
 * @example
 * ```ts
 * const result = await runCardDavCase(job, { control, databases: pgliteFactory(), progress: console.error });
 * ```
 */
export async function runCardDavCase(job: CardDavJob, deps: CardDavCaseDeps): Promise<CardDavRunResult> {
  const { control, progress } = deps;
  const label = cardDavLabel(job);
  const target = await deps.databases.create(job.postgres?.syncDatabase ?? 'sync');
  let module: ContactsModule | null = null;
  try {
    const store = new DbCredentialStore({ db: target.db, butlerSchema: target.butlerSchema });
    await store.set('CARDDAV_USERNAME', control.connection.username);
    await store.set('CARDDAV_PASSWORD', control.connection.password);
    const scenarios: CardDavScenarioRun[] = [];
    const measure = async (scenario: CardDavScenarioName, mode: 'full' | 'incremental') => {
      const runtime = module?.runtime;
      if (!runtime) throw new Error('the contacts module has no running sync runtime');
      progress(`${label}: ${CARDDAV_SCENARIO_TITLES[scenario]}...`);
      await control.resetRequests();
      target.statements.reset();
      const stop = sampleRss();
      const started = performance.now();
      let wallMs: number;
      let peakRssBytes: number;
      let result: Awaited<ReturnType<typeof runtime.syncNow>>;
      try {
        result = await runtime.syncNow({ mode });
      } finally {
        wallMs = performance.now() - started;
        peakRssBytes = stop().peakRssBytes;
      }
      const run: CardDavScenarioRun = {
        scenario,
        mode: result.mode,
        completed: result.completed,
        pages: result.pages,
        wallMs,
        summary: result.summary,
        statements: target.statements.count,
        requests: await control.requestCounts(),
        peakRssBytes,
      };
      scenarios.push(run);
      progress(
        `${label}: ${CARDDAV_SCENARIO_TITLES[scenario]}: ${formatSeconds(wallMs)} s, fetched ${formatCount(run.summary.fetched)}, ` +
          `${run.requests.total} HTTP requests, ${formatCount(run.statements)} statements, peak RSS ${formatBytes(peakRssBytes)}`,
      );
    };

    module = await startModule(target, control);
    await measure('full-initial', 'full');
    const s = sql.identifier(target.butlerSchema);
    const afterFirstSync = {
      contacts: await countOf(target, sql`select count(*) as n from shared.contacts`),
      liveLinks: await countOf(
        target,
        sql`select count(*) as n from ${s}.contacts_source_links where deleted_at is null`,
      ),
    };
    await measure('full-unchanged', 'full');
    await module.onShutdown();
    module = await startModule(target, control);
    await measure('full-unchanged-restart', 'full');
    const edited = await control.editCards(job.edits);
    await measure('incremental-changed', 'incremental');
    await measure('incremental-quiet', 'incremental');
    const result = {
      driver: job.driver,
      cards: job.cards,
      run: job.run,
      edited,
      afterFirstSync,
      scenarios,
      processMaxRssBytes: processMaxRssBytes(),
    };
    return { ...result, checks: checkCardDavRun(result) };
  } finally {
    await module?.onShutdown();
    await target.close();
  }
}
