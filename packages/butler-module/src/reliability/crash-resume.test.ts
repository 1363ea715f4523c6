/**
 * Crash and resume: the real `contacts sync` command, as a child process against the Google
 * emulator, is killed with SIGKILL at seeded moments (at the start of a cycle, mid-page, right
 * after a page committed, in the last page of a full sync, whose transaction holds the unseen-link
 * sweep), then run again until it completes. After every phase the CRM must equal the one a clean
 * run of the same phase produced (same people, rows, links and activity; nothing lost, nothing
 * applied twice), the account's state must be at rest, and at the end the cursor must still work.
 *
 * CONTACTS_CRASH_SEEDS (default 2) sets how many seeded runs each driver gets; each run has three
 * phases and one or two kills per phase. CONTACTS_CRASH_PEOPLE (default 3000) sets the size.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crmProjection } from '@contacts/core/testing';
import { type GoogleEmulator, startGoogleEmulator } from '@contacts/google-emulator';
import { type ContactsDatabase, queryRows } from '@contacts/schema';
import {
  createTestDatabase,
  type TestDatabase,
  type TestDriver,
  testDrivers,
} from '@contacts/schema/testing';
import { sql } from 'drizzle-orm';
import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../cli/open-database.js';
import { runCli } from '../test-support/cli-harness.js';
import { type KillPlan, runCliProcess } from '../test-support/cli-process.js';

const SEEDS = Number(process.env.CONTACTS_CRASH_SEEDS ?? 2);
const PEOPLE = Number(process.env.CONTACTS_CRASH_PEOPLE ?? 3000);
const DAY = 24 * 3600 * 1000;

/** A small seeded generator (mulberry32): the same seed gives the same kills and changes. */
function random(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return { next, int: (n: number) => Math.floor(next() * n) };
}
type Random = ReturnType<typeof random>;

/** Where a kill landed, for the figures this file prints. */
interface Landing {
  driver: TestDriver;
  seed: number;
  phase: string;
  target: string;
  pagesBefore: number;
  /** PostgreSQL only: a transaction of the command was open at the kill. */
  inTransaction?: boolean;
}
const landings: Landing[] = [];
const completedBeforeKill: string[] = [];

interface Phase {
  name: string;
  change(emulator: GoogleEmulator, rng: Random): void;
  /** Aim at the last page (the full sync's unseen-link sweep is in its transaction). */
  aimAtLastPage?: boolean;
}

/** From `--verbose` logs: the time from the cycle's start to its first commit, then between commits. */
function pageDurations(log: string): number[] {
  const at = (line: string) => Date.parse(line.split(' ')[0]!);
  const lines = log.split('\n');
  const start = lines.find((l) => l.split(' ')[2] === 'contacts_sync_started');
  const commits = lines.filter((l) => l.split(' ')[2] === 'contacts_sync_page').map(at);
  const times = [start ? at(start) : (commits[0] ?? 0), ...commits];
  return commits.map((t, i) => t - times[i]!);
}

const PHASES: Phase[] = [
  { name: 'first full sync', change: () => {} },
  {
    name: 'incremental after edits, deletions, additions and renames',
    change(emulator, rng) {
      const people = emulator.admin.people();
      const pick = () => people[rng.int(people.length)]!.resourceName;
      const touched = new Set<string>();
      const fresh = () => {
        for (;;) {
          const name = pick();
          if (!touched.has(name)) {
            touched.add(name);
            return name;
          }
        }
      };
      const n = Math.max(4, Math.round(people.length * 0.02));
      for (let i = 0; i < n; i += 1) {
        emulator.admin.updatePerson(fresh(), {
          names: [{ givenName: `Edited${i}`, familyName: `Crash${rng.int(1e6)}` }],
          emailAddresses: [{ value: `edited.${i}.${rng.int(1e6)}@example.net` }],
        });
      }
      for (let i = 0; i < n; i += 1) emulator.admin.deletePerson(fresh());
      for (let i = 0; i < n; i += 1) emulator.admin.addPerson();
      for (let i = 0; i < Math.ceil(n / 4); i += 1) emulator.admin.renamePerson(fresh());
    },
  },
  {
    name: 'cursor expired, deletions: full sync and its unseen-link sweep',
    change(emulator, rng) {
      // Sync tokens die after 7 days: what is deleted meanwhile only a full sync can notice.
      emulator.admin.advanceClock(8 * DAY);
      const people = emulator.admin.people();
      const gone = new Set<string>();
      const n = Math.max(4, Math.round(people.length * 0.03));
      while (gone.size < n) gone.add(people[rng.int(people.length)]!.resourceName);
      for (const name of gone) emulator.admin.deletePerson(name);
    },
    aimAtLastPage: true,
  },
];

/** The account's state, which must be at rest after a completed run. */
async function accountState(db: ContactsDatabase) {
  const [state] = await queryRows<Record<string, unknown>>(
    db,
    sql`select sync_cursor is not null as cursor, checkpoint, lock_owner,
        (select count(*) from relationship.contacts_sync_seen)::int as seen_rows,
        (select count(*) from relationship.contacts_sync_failures)::int as failures,
        (select count(*) from relationship.contacts_source_links where deleted_at is null)::int as live_links,
        (select count(*) from relationship.contacts_source_links
          where deleted_at is null and local_contact_id is null)::int as live_links_without_contact
      from relationship.contacts_sync_state`,
  );
  return state;
}

for (const driver of testDrivers()) {
  describe(`crash and resume of \`contacts sync\` killed with SIGKILL [${driver}]`, () => {
    afterAll(() => {
      const mine = landings.filter((l) => l.driver === driver);
      const inTx = mine.filter((l) => l.inTransaction).length;
      console.info(
        `[${driver}] ${mine.length} SIGKILLs landed (${mine.filter((l) => l.target === 'last page').length} in a full sync's last page, ` +
          `${mine.filter((l) => l.target === 'after a commit').length} right after a commit, ` +
          `${mine.filter((l) => l.target === 'at the cycle start').length} as the cycle started, ` +
          `${mine.filter((l) => l.target === 'mid-cycle').length} mid-cycle${driver === 'postgres' ? `; ${inTx} with a page transaction open` : ''}); ` +
          `${completedBeforeKill.filter((d) => d === driver).length} planned kills came after the command had finished`,
      );
    });

    for (let seed = 1; seed <= SEEDS; seed += 1) {
      it(`seed ${seed}: every phase ends equal to a clean run`, { timeout: 240_000 }, async () => {
        const rng = random(seed * 7919);
        const emulator = await startGoogleEmulator({ people: PEOPLE, seed });
        const reference = await createTestDatabase('pglite');
        let crashed: TestDatabase | undefined;
        let dataDir: string | undefined;
        try {
          let target: string[];
          if (driver === 'postgres') {
            crashed = await createTestDatabase('postgres', { migrate: false });
            target = ['--database-url', crashed.url!];
          } else {
            dataDir = await mkdtemp(join(tmpdir(), 'contacts-crash-'));
            target = ['--data-dir', dataDir];
          }
          const google = ['--google-root-url', emulator.url, '--google-token-url', emulator.tokenUrl];
          const { clientId, clientSecret, refreshToken } = emulator.credentials;
          const secrets = {
            GOOGLE_OAUTH_CLIENT_ID: clientId,
            GOOGLE_OAUTH_CLIENT_SECRET: clientSecret,
            GOOGLE_REFRESH_TOKEN: refreshToken,
          };
          for (const [key, value] of Object.entries(secrets)) {
            expect((await runCli(['secrets', 'set', key, value, ...target])).code).toBe(0);
            expect((await runCli(['secrets', 'set', key, value], { db: reference.db })).code).toBe(0);
          }
          // Reads the crashed database while no command runs (PGlite is one process at a time).
          const readCrashed = async <T>(read: (db: ContactsDatabase) => Promise<T>): Promise<T> => {
            if (crashed) return read(crashed.db);
            const opened = await openDatabase({ kind: 'pglite', dataDir: dataDir! });
            try {
              return await read(opened.db);
            } finally {
              await opened.close();
            }
          };

          let landedInSeed = 0;
          for (const phase of PHASES) {
            phase.change(emulator, rng);
            const clean = await runCli(['sync', '--verbose', ...google], { db: reference.db });
            expect(clean.code, clean.stderr).toBe(0);
            // How long each page of the clean run took: kills aim inside a page with these.
            const durations = pageDurations(clean.stderr);
            const pages = durations.length;
            const kills = 1 + rng.int(2);
            let finished = false;
            let landed = 0;
            // Killed with a checkpoint committed (after a page, before the last): the next run must
            // resume from it, not start over (which would reach the same end, slower).
            let mustResume = false;
            for (let attempt = 0; attempt < kills + 3 && !finished; attempt += 1) {
              let plan: KillPlan | null = null;
              let landing: Landing | undefined;
              if (attempt < kills) {
                const style = phase.aimAtLastPage && attempt === 0 ? 2 : rng.int(2);
                const count = style === 2 ? pages - 1 : rng.int(pages);
                landing = {
                  driver,
                  seed,
                  phase: phase.name,
                  target:
                    style === 2
                      ? 'last page'
                      : style === 1
                        ? count === 0
                          ? 'at the cycle start'
                          : 'after a commit'
                        : 'mid-cycle',
                  pagesBefore: count,
                };
                plan = {
                  // count 0: aim from the cycle's start; else from the count-th committed page.
                  event: count === 0 ? 'contacts_sync_started' : 'contacts_sync_page',
                  count: Math.max(1, count),
                  delayMs: style === 1 ? 0 : Math.round(rng.next() * (durations[count] ?? 0)),
                  beforeKill: crashed
                    ? async () => {
                        const [open] = await queryRows<{ n: number }>(
                          crashed!.db,
                          sql`select count(*)::int as n from pg_stat_activity
                            where datname = current_database() and pid <> pg_backend_pid() and xact_start is not null`,
                        );
                        landing!.inTransaction = (open?.n ?? 0) > 0;
                      }
                    : undefined,
                };
              }
              const run = await runCliProcess(['sync', '--verbose', ...target, ...google], plan);
              if (mustResume) expect(run.stderr, phase.name).toMatch(/contacts_sync_started .*resumed=true/);
              if (run.killed) {
                landings.push(landing!);
                landed += 1;
                // The database says whether a checkpoint was left: the log can lag behind a commit
                // (the last page committed, its line not yet written when the kill landed).
                mustResume = (await readCrashed(accountState))?.checkpoint != null;
                continue;
              }
              if (plan) completedBeforeKill.push(driver);
              expect(run.code, run.stderr.split('\n').slice(-8).join('\n')).toBe(0);
              finished = true;
            }
            expect(finished, `${phase.name}: the command never completed`).toBe(true);
            landedInSeed += landed;

            const expected = await crmProjection(reference.db, reference.butlerSchema);
            const actual = await readCrashed((db) => crmProjection(db, 'relationship'));
            expect(actual.orphanLinks).toEqual(expected.orphanLinks);
            expect(actual.contacts.length, phase.name).toBe(expected.contacts.length);
            expect(actual.contacts, phase.name).toEqual(expected.contacts);
            const state = await readCrashed(accountState);
            expect(state, phase.name).toEqual({
              cursor: true,
              checkpoint: null,
              lock_owner: null,
              seen_rows: 0,
              failures: 0,
              live_links: emulator.admin.people().length,
              live_links_without_contact: 0,
            });
          }

          // The kills aim from the clean run's own timings; a seed whose every kill came after
          // the command had finished would have tested nothing.
          expect(landedInSeed).toBeGreaterThan(0);

          // The cursor left behind is valid: the next sync is a quiet incremental one.
          const after = await runCliProcess(['sync', '--json', ...target, ...google], null);
          expect(after.code, after.stderr).toBe(0);
          expect(JSON.parse(after.stdout)).toMatchObject({
            mode: 'incremental',
            completed: true,
            summary: { fetched: 0, failed: 0 },
          });
        } finally {
          await crashed?.close();
          await reference.close();
          await emulator.close();
          if (dataDir) await rm(dataDir, { recursive: true, force: true });
        }
      });
    }
  });
}
