import { type ContactsDatabase, queryRows } from '@contacts/schema';
import { sql } from 'drizzle-orm';
import type { DesiredContact } from './desired-contact.js';
import { jsonRows, toJsonText } from './json-rows.js';
import { type InfoType, infoKey, parseInfoKey } from './row-keys.js';

/**
 * The info keys a contact's identity is matched by: its normalized emails and E.164 phones.
 *
 * @example
 * ```ts
 * identityKeys(desired); // ['email|ada@example.org', 'phone|+13035550100']
 * ```
 */
export const identityKeys = (c: DesiredContact): string[] => [
  ...c.emailKeys.map((e) => infoKey('email', e)),
  ...c.phoneKeys.map((p) => infoKey('phone', p)),
];

/**
 * How a source contact found its CRM contact, in the order they are tried.
 *
 * @example
 * ```ts
 * const strategy: ResolutionStrategy = resolution.strategy;
 * if (strategy === 'ambiguous_name') console.warn(`${resolution.candidates.length} contacts share that name`);
 * ```
 */
export type ResolutionStrategy = 'source_link' | 'email' | 'phone' | 'name' | 'ambiguous_name' | 'new';

/**
 * The source link a contact already has (by its id or a previous id).
 *
 * @example
 * ```ts
 * const links: Map<string, ExistingLink> = await resolver.links(db, desiredContacts);
 * const unchanged = links.get('people/c1')?.etag === desired.etag;
 * ```
 */
export interface ExistingLink {
  externalId: string;
  localContactId: string | null;
  etag: string | null;
  deleted: boolean;
}

/**
 * Where one source contact goes. `contactId` null means: create a new CRM contact.
 *
 * @example
 * ```ts
 * const byId = await resolver.resolve(db, desiredContacts);
 * const r: Resolution | undefined = byId.get('people/c1');
 * if (r?.contactId === null) console.log('creates a new contact'); // strategy 'new' or 'ambiguous_name'
 * ```
 */
export interface Resolution {
  externalId: string;
  strategy: ResolutionStrategy;
  contactId: string | null;
  /** The link under the current id, if any (etag comparison, tombstones). */
  link: ExistingLink | null;
  /** The link found through `previous_external_ids` (a rename), if any. */
  renamedFrom: ExistingLink | null;
  /** For `ambiguous_name`: the CRM contacts the name matched. */
  candidates: string[];
  /** Contacts of this page merged with this one (same email or phone): the first one's id. */
  mergedWith: string | null;
}

/**
 * Options of {@link ContactBackfillResolver}.
 *
 * @example
 * ```ts
 * const options: ResolverOptions = { butlerSchema: 'relationship', provider: 'google', accountId: 'default' };
 * const resolver = new ContactBackfillResolver(options);
 * ```
 */
export interface ResolverOptions {
  butlerSchema: string;
  provider: string;
  accountId: string;
}

/**
 * The shortest name (or nickname) key the careful name match looks up: shorter ones ("al",
 * "jo") are shared by strangers.
 *
 * @example
 * ```ts
 * const searched = (desired.nameKey?.length ?? 0) >= MIN_NAME_KEY_LENGTH;
 * ```
 */
export const MIN_NAME_KEY_LENGTH = 3;

/** Rank offset of phone matches: any email match beats any phone match. */
const PHONE_RANK = 10;

class UnionFind {
  readonly #parent = new Map<number, number>();
  find(i: number): number {
    let root = i;
    while ((this.#parent.get(root) ?? root) !== root) root = this.#parent.get(root) ?? root;
    this.#parent.set(i, root);
    return root;
  }
  union(a: number, b: number): void {
    const [ra, rb] = [this.find(a), this.find(b)];
    if (ra !== rb) this.#parent.set(Math.max(ra, rb), Math.min(ra, rb));
  }
}

/**
 * Resolves a whole page of source contacts to CRM contacts in at most four queries, trying for
 * each: its source link (also through previous ids), then its emails, then its E.164 phones, then
 * a conservative name match (case-insensitive equality on name, first + last, or nickname when
 * there is no name; archived contacts and contacts already linked to another contact of this
 * account excluded). Several name candidates: no merge (`ambiguous_name`). Contacts of one page
 * that share an email or phone resolve to one person.
 *
 * @example
 * ```ts
 * const resolver = new ContactBackfillResolver({ butlerSchema: 'relationship', provider: 'google', accountId: 'default' });
 * const byId = await resolver.resolve(db, desiredContacts); // Map<external_id, Resolution>
 * ```
 */
export class ContactBackfillResolver {
  readonly #schema;
  readonly #provider: string;
  readonly #accountId: string;

  constructor(options: ResolverOptions) {
    this.#schema = sql.identifier(options.butlerSchema);
    this.#provider = options.provider;
    this.#accountId = options.accountId;
  }

  /**
   * Resolves a page. `knownLinks` are the page's links as {@link links} read them in the same
   * transaction (the engine reads them first to skip unchanged contacts); the account's sync
   * lease keeps them current, so they are not read twice.
   */
  async resolve(
    db: ContactsDatabase,
    contacts: readonly DesiredContact[],
    knownLinks?: ReadonlyMap<string, ExistingLink>,
  ): Promise<Map<string, Resolution>> {
    const links = knownLinks ?? (await this.links(db, contacts));
    const result = new Map<string, Resolution>();
    const pending: number[] = [];
    contacts.forEach((c, i) => {
      const link = links.get(c.externalId) ?? null;
      const renamedFrom = link
        ? null
        : (c.previousIds.map((id) => links.get(id)).find((l) => l !== undefined) ?? null);
      const linked = link ?? renamedFrom;
      const base = { externalId: c.externalId, link, renamedFrom, candidates: [], mergedWith: null };
      // Any link, even one whose CRM contact a person deleted, decides: such a contact must not
      // be the root of an in-page merge, since the engine skips it.
      if (linked) {
        result.set(c.externalId, {
          ...base,
          strategy: 'source_link',
          contactId: linked?.localContactId ?? null,
        });
      } else {
        result.set(c.externalId, { ...base, strategy: 'new', contactId: null });
        if (!c.deleted) pending.push(i);
      }
    });
    if (pending.length === 0) return result;

    // Page members sharing an email or phone are one person: union them first.
    const groups = new UnionFind();
    const owner = new Map<string, number>();
    for (const i of pending) {
      const c = contacts[i]!;
      for (const key of identityKeys(c)) {
        const first = owner.get(key);
        if (first === undefined) owner.set(key, i);
        else groups.union(first, i);
      }
    }
    const roots = new Map<number, number[]>();
    for (const i of pending) {
      const root = groups.find(i);
      roots.set(root, [...(roots.get(root) ?? []), i]);
    }

    // Contacts of this page that are already linked bring their new emails and phones along: a
    // new contact sharing one joins that person, as it would had they come in an earlier page.
    const inPage = new Map<string, { id: string; rank: number }>();
    contacts.forEach((c) => {
      const contactId = result.get(c.externalId)?.contactId;
      if (c.deleted || !contactId) return;
      const keys = new Set(identityKeys(c));
      for (const info of c.info) {
        if (!keys.has(info.key) || inPage.has(info.key)) continue;
        inPage.set(info.key, {
          id: contactId,
          rank: (info.type === 'email' ? 0 : PHONE_RANK) + (info.primary ? 0 : 1),
        });
      }
    });

    const byKey = await this.#matchKeys(db, [...owner.keys()]);
    const unmatched: number[] = [];
    for (const [root, members] of roots) {
      let best: { id: string; rank: number } | undefined;
      for (const i of members) {
        const c = contacts[i]!;
        for (const key of identityKeys(c)) {
          const page = inPage.get(key);
          for (const m of [...(byKey.get(key) ?? []), ...(page ? [page] : [])]) {
            if (!best || m.rank < best.rank) best = m;
          }
        }
      }
      if (best) {
        const strategy = best.rank < PHONE_RANK ? 'email' : 'phone';
        for (const i of members) this.#assign(result, contacts, i, root, strategy, best.id, []);
      } else {
        unmatched.push(root);
      }
    }
    if (unmatched.length === 0) return result;

    const byName = await this.#matchNames(
      db,
      unmatched.map((i) => ({ i, contact: contacts[i]! })),
    );
    const claimed = new Set<string>();
    for (const root of unmatched) {
      const candidates = (byName.get(root) ?? []).filter((id) => !claimed.has(id));
      const members = roots.get(root) ?? [root];
      if (candidates.length === 1) {
        claimed.add(candidates[0]!);
        for (const i of members) this.#assign(result, contacts, i, root, 'name', candidates[0]!, []);
      } else {
        const strategy = candidates.length > 1 ? 'ambiguous_name' : 'new';
        for (const i of members) this.#assign(result, contacts, i, root, strategy, null, candidates);
      }
    }
    return result;
  }

  #assign(
    result: Map<string, Resolution>,
    contacts: readonly DesiredContact[],
    i: number,
    root: number,
    strategy: ResolutionStrategy,
    contactId: string | null,
    candidates: string[],
  ): void {
    const c = contacts[i]!;
    const previous = result.get(c.externalId)!;
    result.set(c.externalId, {
      ...previous,
      strategy,
      contactId,
      candidates,
      mergedWith: i === root ? null : contacts[root]!.externalId,
    });
  }

  /** The source links of a page's contacts, by their current and previous ids: one query. */
  async links(db: ContactsDatabase, contacts: readonly DesiredContact[]): Promise<Map<string, ExistingLink>> {
    const ids = new Map<string, null>();
    for (const c of contacts) for (const id of [c.externalId, ...c.previousIds]) ids.set(id, null);
    return (await this.pageLinks(db, ids)).links;
  }

  /**
   * The source links of `ids` (as the database stores them), in one query. An id given with an
   * etag that its link holds, live and with its CRM contact, comes back in `unchanged` only, not
   * as a link: an unchanged page reads back one short list of ids, not a row per contact.
   *
   * @example
   * ```ts
   * const { links, unchanged } = await resolver.pageLinks(tx, new Map([['people/c1', 'etag-7'], ['people/c0', null]]));
   * ```
   */
  async pageLinks(
    db: ContactsDatabase,
    ids: ReadonlyMap<string, string | null>,
  ): Promise<{ links: Map<string, ExistingLink>; unchanged: Set<string> }> {
    const given = [...ids].map(([id, etag]) => ({ id, etag }));
    const [row] = await queryRows<{ unchanged: string | null; links: string | null }>(
      db,
      // LATERAL with LIMIT: one primary-key probe per id. Without the LIMIT the planner flattens
      // the subquery into a join and (the links' statistics far behind a bulk insert) hashes every
      // link of the account on each page, a cost that grew with the address book. The answer is
      // one row of two JSON arrays: no row per contact to decode.
      sql`select
          coalesce(jsonb_agg(l.id) filter (where l.same), '[]')::text as unchanged,
          coalesce(jsonb_agg(jsonb_build_array(l.id, l.local_contact_id, l.source_etag, l.deleted))
            filter (where not l.same), '[]')::text as links
        from jsonb_to_recordset(${toJsonText(given)}::text::jsonb) as x(id text, etag text)
        cross join lateral (
          select l.external_contact_id as id, l.local_contact_id, l.source_etag, l.deleted_at is not null as deleted,
            coalesce(l.deleted_at is null and l.local_contact_id is not null and l.source_etag = x.etag, false) as same
          from ${this.#schema}.contacts_source_links l
          where l.provider = ${this.#provider} and l.account_id = ${this.#accountId} and l.external_contact_id = x.id
          limit 1
        ) l`,
    );
    const rows = JSON.parse(row?.links ?? '[]') as [string, string | null, string | null, boolean][];
    return {
      links: new Map(
        rows.map(([id, localContactId, etag, deleted]) => [
          id,
          { externalId: id, localContactId, etag, deleted: deleted === true },
        ]),
      ),
      unchanged: new Set(JSON.parse(row?.unchanged ?? '[]') as string[]),
    };
  }

  /** key (`email|x` / `phone|+1...`) -> matching CRM contacts, ranked (lower is better). */
  async #matchKeys(
    db: ContactsDatabase,
    keys: string[],
  ): Promise<Map<string, { id: string; rank: number }[]>> {
    const map = new Map<string, { id: string; rank: number }[]>();
    if (keys.length === 0) return map;
    const rows = await queryRows<{ type: string; v: string; contact_id: string; rank: number }>(
      db,
      sql`select r.type, r.v, ci.contact_id,
          (case when ci.type = 'email' then 0 else ${PHONE_RANK} end) + (case when ci.is_primary then 0 else 1 end) as rank
        from ${jsonRows(
          keys.map((k) => {
            const { type, normalized } = parseInfoKey(k);
            return { type, v: normalized };
          }),
          'type text, v text',
        )}
        join shared.contact_info ci on ci.type = r.type and ci.normalized_value = r.v
        join shared.contacts c on c.id = ci.contact_id and c.archived_at is null
        order by c.created_at, c.id`,
    );
    // Rows come oldest contact first; a stable sort by rank keeps that order among equals.
    for (const row of rows) {
      const key = infoKey(row.type as InfoType, row.v);
      map.set(key, [...(map.get(key) ?? []), { id: row.contact_id, rank: Number(row.rank) }]);
    }
    return map;
  }

  async #matchNames(
    db: ContactsDatabase,
    items: { i: number; contact: DesiredContact }[],
  ): Promise<Map<number, string[]>> {
    const rows = items
      .filter(
        ({ contact }) =>
          (contact.nameKey?.length ?? 0) >= MIN_NAME_KEY_LENGTH ||
          (contact.nicknameKey?.length ?? 0) >= MIN_NAME_KEY_LENGTH,
      )
      .map(({ i, contact }) => ({ i, full_name: contact.nameKey, nick: contact.nicknameKey }));
    const map = new Map<number, string[]>();
    if (rows.length === 0) return map;
    const found = await queryRows<{ i: number; id: string }>(
      db,
      // One LATERAL index probe per row and expression index: an OR across them, or a join the
      // planner turns into a hash join, scans every contact on every page (quadratic in a full sync).
      // `nick` is only set when the contact has no real name.
      sql`select r.i, c.id
        from ${jsonRows(rows, 'i int, full_name text, nick text')}
        cross join lateral (
          select m.id from shared.contacts m where lower(m.name) = r.full_name
          union
          select m.id from shared.contacts m where lower(m.first_name || ' ' || m.last_name) = r.full_name
          union
          select m.id from shared.contacts m where lower(m.nickname) = r.nick
        ) m
        join shared.contacts c on c.id = m.id and c.archived_at is null
        -- Not already linked to this account. NOT IN is a hashed subplan: one pass over the
        -- account's live links, one probe per candidate. NOT EXISTS became an anti join over a
        -- materialized scan of every link for every candidate (quadratic: 100 ms a page at
        -- 10,000 on PGlite, a books' common names making 2-3 candidates a row); a probe of the
        -- local_contact_id index is not what the planner picks while the links' statistics
        -- lag the bulk insert. The null test keeps NOT IN from turning unknown.
        where c.id not in (
          select l.local_contact_id from ${this.#schema}.contacts_source_links l
          where l.provider = ${this.#provider} and l.account_id = ${this.#accountId}
            and l.deleted_at is null and l.local_contact_id is not null)
        order by r.i, c.created_at, c.id`,
    );
    for (const row of found) {
      const list = map.get(Number(row.i)) ?? [];
      if (!list.includes(row.id)) list.push(row.id);
      map.set(Number(row.i), list);
    }
    return map;
  }
}
