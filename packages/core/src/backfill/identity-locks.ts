/**
 * The advisory locks a page takes before it resolves identity: only pages that could resolve to
 * the same person wait for one another, so workers writing unrelated people run at once, and two
 * pages carrying the same new person never both create it.
 *
 * Why these keys (sequential equivalence). The resolver reads committed rows of the shared
 * schema: emails and phones in `shared.contact_info` and, for the careful name match,
 * `lower(name)`, `lower(first_name || ' ' || last_name)` and `lower(nickname)` of
 * `shared.contacts` (every butler's, so keys are database-wide, not per butler schema). A page
 * must wait for every uncommitted page whose writes could change what those reads return for it,
 * and its own writes must make later pages wait for it. Two pages conflict when what one looks
 * up meets what the other makes findable, or stops being findable, so a page locks:
 *
 * - what it looks up: each written contact's emails and E.164 phones, and its name key or
 *   nickname key when the name match would look it up (at least three characters);
 * - what it makes findable: the same emails and phones, and the three name forms each written
 *   contact carries (`name`, `first last`, `nickname`), lower-cased by the database as the
 *   resolver's query does, so both sides of a match hash the same text;
 * - what it may stop being findable: the current emails, phones and name forms of the CRM
 *   contacts it reaches through its source links (a deletion's too), read in the same
 *   statement. A source that drops an email, or renames a person it owns, changes what other
 *   pages' lookups would find;
 * - what it may make findable without carrying it: the name forms every source recorded in the
 *   provenance of those linked contacts (`metadata.sources`). When a source drops a name, or its
 *   entry is deleted, the field passes to another source's recorded value.
 *   (A contact found by email, phone or name rather than by link is already under a key this
 *   page locks, and this page cannot remove its rows: provenance only removes what the same
 *   source contributed, and a source that contributed rows is linked.)
 *
 * Left open: a source newly linked by email, phone or name fills the contact's empty fields, so
 * a contact with a first name and no last name can become findable as `first last` under a last
 * name taken from this page and a first name not taken from it. A page of another account
 * looking up exactly that full name at that same moment creates a second contact where a
 * sequential run would have matched it by name. Likewise a handover field by field can combine
 * one source's first name with another's last name, a `first last` no single record holds.
 * Closing them needs the found contacts' fields
 * before locking (a second lock round, out of order); the name match is the last, careful
 * resort and the window is one page's commit.
 *
 * The locks are held to the end of the transaction (`pg_advisory_xact_lock`) and are taken in
 * one statement, in a fixed order (the global key first, then the keys' 64-bit hashes
 * ascending), so two pages never wait on each other in a cycle. PostgreSQL evaluates a volatile
 * select list after its `ORDER BY` sort (since 9.6), which is what fixes the order here.
 *
 * The lock table is bounded: `max_locks_per_transaction` (64) times the connections (100) is
 * about 6,400 locks shared by every session, and a page of 1,000 new contacts holds about 3,000
 * keys. So every page takes the global key SHARED, then its keys; a page with more distinct keys
 * than the cap takes the global key EXCLUSIVE instead, and no keys: it waits for every page in
 * flight and they for it, as every page did before. With the default cap of 512, eight workers
 * hold at most about 4,100 advisory locks at once, below the default table with room for the
 * relation locks; pages of up to roughly 150 contacts stay in parallel. Raise the cap together
 * with `max_locks_per_transaction`. Global first, then keys in order: still no cycle.
 *
 * One page per transaction: a second over-cap page in a transaction that already holds the
 * global key shared would upgrade it, and two such transactions deadlock (PostgreSQL detects it
 * and fails one). The sync cycle commits each page on its own.
 */
import { type ContactsDatabase, queryRows } from '@contacts/schema';
import { type SQL, sql } from 'drizzle-orm';
import type { DesiredContact } from './desired-contact.js';
import { jsonRows, toJsonText } from './json-rows.js';
import { identityKeys, MIN_NAME_KEY_LENGTH } from './resolver.js';

/**
 * The key every writing page takes, shared (or exclusive above the cap). The value the single
 * database-wide identity lock had, so a process of an older release still excludes this one.
 *
 * @example
 * ```ts
 * await db.execute(sql`select pg_advisory_xact_lock(${IDENTITY_GLOBAL_LOCK_KEY}::bigint)`); // waits for every page in flight
 * ```
 */
export const IDENTITY_GLOBAL_LOCK_KEY = '7316029114228311';

/**
 * Distinct keys above which a page locks the whole identity space instead (see the module note).
 *
 * @example
 * ```ts
 * new ContactBackfillEngine({ db, butlerSchema, provider, accountId, identityLockCap: DEFAULT_IDENTITY_LOCK_CAP * 2 });
 * ```
 */
export const DEFAULT_IDENTITY_LOCK_CAP = 512;

/** Seed of the key hashes: keeps them apart from other users of `hashtextextended` locks. */
const HASH_SEED = '7316029114228312';

/**
 * One identity key of a page: `kind|value`, the value lower-cased by the database when `fold`.
 *
 * @example
 * ```ts
 * const key: IdentityKey = { kind: 'name', value: 'Ada Lovelace', fold: true }; // locks `name|ada lovelace`
 * ```
 */
export interface IdentityKey {
  kind: 'email' | 'phone' | 'name' | 'nick';
  value: string;
  fold: boolean;
}

/**
 * What a page locks: the keys of the contacts it writes and the CRM contacts its links reach.
 *
 * @example
 * ```ts
 * const plan: IdentityLockPlan = identityLockPlan(desired, linkedContactIds);
 * ```
 */
export interface IdentityLockPlan {
  keys: IdentityKey[];
  /** CRM contacts the page reaches by source link: their current keys are locked too. */
  linkedContactIds: string[];
}

/**
 * The keys of `contacts` (the page's contacts that will be written) and the CRM contacts their
 * links reach (`linkedContactIds`), deduplicated.
 *
 * @example
 * ```ts
 * identityLockPlan([ada], ['0b6e…']);
 * // { keys: [{ kind: 'email', value: 'ada@example.org', fold: false }, { kind: 'name', value: 'ada lovelace', fold: false }, …], linkedContactIds: ['0b6e…'] }
 * ```
 */
export function identityLockPlan(
  contacts: readonly DesiredContact[],
  linkedContactIds: readonly string[],
): IdentityLockPlan {
  const keys = new Map<string, IdentityKey>();
  const add = (kind: IdentityKey['kind'], value: string | null, fold: boolean) => {
    if (value === null || value === '') return;
    keys.set(`${kind}|${fold}|${value}`, { kind, value, fold });
  };
  const searched = (key: string | null) => (key !== null && key.length >= MIN_NAME_KEY_LENGTH ? key : null);
  for (const c of contacts) {
    // Emails and phones: what is looked up is what is stored (`type|normalized`).
    for (const key of identityKeys(c)) {
      const at = key.indexOf('|');
      add(key.slice(0, at) as 'email' | 'phone', key.slice(at + 1), false);
    }
    // Looked up: already lower-cased, compared as it is.
    add('name', searched(c.nameKey), false);
    add('nick', searched(c.nicknameKey), false);
    // Made findable: lower-cased by the database, as `lower(...)` in the resolver's query.
    const { name, first_name: first, last_name: last, nickname } = c.fields;
    add('name', name, true);
    add('name', first !== null && last !== null ? `${first} ${last}` : null, true);
    add('nick', nickname, true);
  }
  return { keys: [...keys.values()], linkedContactIds: [...new Set(linkedContactIds)] };
}

/**
 * How a page was locked: `keys` (the global key shared, then `keys` keys) or `exclusive` (the
 * global key alone, the page having more keys than the cap).
 *
 * @example
 * ```ts
 * const taken: IdentityLocks = await lockIdentities(tx, plan);
 * if (taken.mode === 'exclusive') logger.info('identity_lock_exclusive', { keys: taken.keys });
 * ```
 */
export interface IdentityLocks {
  mode: 'keys' | 'exclusive';
  /**
   * Distinct keys of the page (locked one by one in mode `keys`). When the page's own keys alone
   * pass the cap, only those are counted: the keys of the contacts its links reach are not read.
   */
  keys: number;
}

/**
 * Takes the page's identity locks, held until the transaction ends, in one statement (see the
 * module note for the keys, the order and the cap). Waits while a page holding one of them is
 * in flight.
 *
 * @example
 * ```ts
 * await db.transaction(async (tx) => {
 *   await lockIdentities(tx, identityLockPlan(desired, linked));
 *   // resolve and write: no uncommitted page can change what resolving reads
 * });
 * ```
 */
export async function lockIdentities(
  tx: ContactsDatabase,
  plan: IdentityLockPlan,
  cap: number = DEFAULT_IDENTITY_LOCK_CAP,
): Promise<IdentityLocks> {
  const pageKeys = distinctPageKeys(plan);
  if (pageKeys > cap) {
    // Over the cap on its own keys: the page goes exclusive whatever its links add, so the
    // statement that reads the linked contacts' keys and hashes them all only to count them
    // is skipped. On a first full sync (about 3,000 keys a page of 1,000) it was the costliest
    // read of the page: 50 ms a page on PostgreSQL at 25,000 people.
    await tx.execute(sql`select pg_advisory_xact_lock(${IDENTITY_GLOBAL_LOCK_KEY}::bigint)`);
    return { mode: 'exclusive', keys: pageKeys };
  }
  const rows = await queryRows<{ exclusive: boolean; keys: number | string }>(
    tx,
    identityLockStatement(plan, cap),
  );
  const first = rows[0];
  return { mode: first?.exclusive === true ? 'exclusive' : 'keys', keys: Number(first?.keys ?? 0) };
}

/**
 * How many distinct keys the page's own contacts give (`plan.keys`, the ones that fold
 * lower-cased here), without the keys of the contacts its links reach. When it is above the cap,
 * {@link lockIdentities} goes exclusive without asking the database. JavaScript's lower case and
 * the database's can differ for a few letters outside ASCII, so this count can differ from the
 * database's by those; going exclusive is always safe (it waits for every page, as pages did
 * before the keys), only less parallel.
 *
 * @example
 * ```ts
 * distinctPageKeys(identityLockPlan([ada], [])); // 5 keys: email, phone and name forms, folded as the database folds them
 * ```
 */
export function distinctPageKeys(plan: IdentityLockPlan): number {
  return new Set(plan.keys.map((k) => `${k.kind}|${k.fold ? k.value.toLowerCase() : k.value}`)).size;
}

/**
 * The statement {@link lockIdentities} sends: one row per lock taken, each with the page's
 * `exclusive` and `keys`. The locks are taken in the select list, which PostgreSQL evaluates
 * above the `ORDER BY` sort, so in that order (a test reads the plan to hold it to that).
 *
 * @example
 * ```ts
 * await db.execute(sql`explain (verbose, format json) ${identityLockStatement(plan, 512)}`);
 * ```
 */
export function identityLockStatement(plan: IdentityLockPlan, cap: number): SQL {
  const global = sql`${IDENTITY_GLOBAL_LOCK_KEY}::bigint`;
  return sql`with linked as (
      select distinct x.id::uuid as id from jsonb_array_elements_text(${toJsonText(plan.linkedContactIds)}::text::jsonb) as x(id)
    ), named as (
      select r.kind || '|' || case when r.fold then lower(r.value) else r.value end as key
        from ${jsonRows(plan.keys, 'kind text, value text, fold boolean')}
      union all
      select ci.type || '|' || ci.normalized_value
        from linked join shared.contact_info ci on ci.contact_id = linked.id
        where ci.type in ('email', 'phone')
      union all
      select f.key from linked join shared.contacts c on c.id = linked.id
        cross join lateral (values ('name|' || lower(c.name)),
          ('name|' || lower(c.first_name || ' ' || c.last_name)), ('nick|' || lower(c.nickname))) as f(key)
      union all
      select f.key from linked join shared.contacts c on c.id = linked.id
        cross join lateral jsonb_each(case when jsonb_typeof(c.metadata->'sources') = 'object'
          then c.metadata->'sources' else '{}'::jsonb end) as s(source, entries)
        cross join lateral jsonb_each(case when jsonb_typeof(s.entries) = 'object'
          then s.entries else '{}'::jsonb end) as e(external_id, entry)
        cross join lateral (select case when jsonb_typeof(e.entry->'fields') = 'object'
          then e.entry->'fields' else '{}'::jsonb end as v) as fields
        cross join lateral (values ('name|' || lower(fields.v->>'name')),
          ('name|' || lower((fields.v->>'first_name') || ' ' || (fields.v->>'last_name'))),
          ('nick|' || lower(fields.v->>'nickname'))) as f(key)
    ), hashed as (
      select distinct hashtextextended(key, ${HASH_SEED}::bigint) as k from named where key is not null
    ), plan as (
      select count(*) as keys, count(*) > ${cap}::int as exclusive from hashed
    ), locks as (
      select ${global} as k, 0 as ord
      union all
      select hashed.k, 1 from hashed, plan where not plan.exclusive and hashed.k <> ${global}
    )
    select plan.exclusive, plan.keys,
      case when locks.ord = 0 and not plan.exclusive then pg_advisory_xact_lock_shared(locks.k)
        else pg_advisory_xact_lock(locks.k) end::text as locked
    from locks, plan
    order by locks.ord, locks.k`;
}
