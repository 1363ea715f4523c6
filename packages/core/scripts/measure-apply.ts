/**
 * Measures how fast the backfill engine applies generated contacts in pages of 1,000, on PGlite
 * and (with CONTACTS_BENCH_DATABASE_URL) PostgreSQL: engine and database only, no HTTP.
 * Usage: pnpm measure:apply [N]   (default 25,000)
 */
import { randomBytes } from 'node:crypto';
import { type ContactsDatabase, migrate } from '@contacts/schema';
import { PGlite } from '@electric-sql/pglite';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { drizzle as drizzlePostgres } from 'drizzle-orm/postgres-js';
import postgres from 'postgres';
import { ContactBackfillEngine } from '../src/backfill/engine.js';
import type { CanonicalContactInput } from '../src/model/canonical-contact.js';

const N = Number(process.argv[2] ?? 25_000);
const PAGE = 1_000;

function contact(i: number): CanonicalContactInput {
  return {
    external_id: `people/c${i}`,
    etag: `e${i}`,
    display_name: `Person ${i} Example`,
    first_name: `Person ${i}`,
    last_name: 'Example',
    emails: [{ value: `person${i}@example.org`, primary: true }],
    // Unique per person: a shared phone would (rightly) merge people and measure updates instead.
    phones: [
      {
        value: `(303) ${String(2_000_000 + i).slice(0, 3)}-${String(2_000_000 + i).slice(3)}`,
        e164: `+1303${2_000_000 + i}`,
        primary: true,
      },
    ],
    addresses: [{ street: `${i} Main St`, city: 'Springfield', country_code: 'US', primary: true }],
    organizations: [{ name: 'Acme', title: 'Engineer', primary: true }],
    birthdays: [{ month: (i % 12) + 1, day: (i % 28) + 1 }],
    group_memberships: ['contactGroups/friends'],
  };
}

async function measure(label: string, db: ContactsDatabase) {
  await migrate(db, { butlerSchema: 'relationship' });
  const engine = new ContactBackfillEngine({
    db,
    butlerSchema: 'relationship',
    provider: 'google',
    accountId: 'default',
    groups: [{ external_id: 'contactGroups/friends', name: 'Friends', system: false, deleted: false }],
  });
  const pages = Array.from({ length: Math.ceil(N / PAGE) }, (_, p) =>
    Array.from({ length: Math.min(PAGE, N - p * PAGE) }, (_, i) => contact(p * PAGE + i)),
  );
  let start = performance.now();
  const pageMs: number[] = [];
  for (const page of pages) {
    const t = performance.now();
    await engine.applyBatch(page);
    pageMs.push(performance.now() - t);
  }
  const created = (performance.now() - start) / 1000;
  if (process.env.MEASURE_PAGES) console.log(label, 'page ms:', pageMs.map((m) => Math.round(m)).join(' '));
  start = performance.now();
  for (const page of pages) await engine.applyBatch(page);
  const unchanged = (performance.now() - start) / 1000;
  console.log(
    `${label}: ${N} new contacts in ${created.toFixed(2)} s (${Math.round(N / created)}/s); ` +
      `${N} unchanged in ${unchanged.toFixed(2)} s (${Math.round(N / unchanged)}/s)`,
  );
}

const pg = await PGlite.create();
await measure('PGlite', drizzlePglite(pg));
await pg.close();

const adminUrl = process.env.CONTACTS_BENCH_DATABASE_URL;
if (adminUrl) {
  const name = `contacts_measure_${randomBytes(4).toString('hex')}`;
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database "${name}"`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const client = postgres(url.toString(), { max: 2, onnotice: () => {} });
  try {
    await measure('PostgreSQL', drizzlePostgres(client));
  } finally {
    await client.end();
    await admin.unsafe(`drop database "${name}" with (force)`);
    await admin.end();
  }
}
