import type { ContactsDatabase } from '@contacts/schema';
import { sql } from 'drizzle-orm';
import { SCALAR_FIELDS } from './desired-contact.js';
import { canonicalJson, jsonRows, toJsonText } from './json-rows.js';
import type { ContactState } from './provenance.js';
import { encodeProvenance } from './provenance-codec.js';

/** A source link to write: the contact now seen under `externalId`. */
export interface LinkWrite {
  externalId: string;
  contactId: string;
  etag: string | null;
}

/** An activity feed entry to write. */
export interface ActivityWrite {
  contact_id: string;
  type: string;
  description: string;
  details: Record<string, unknown>;
}

/** A contact that could not be applied. */
export interface FailureWrite {
  external_contact_id: string;
  error: string;
  raw: unknown;
}

/** Everything one page writes; each list becomes at most one or two statements. */
export interface PageWrites {
  before: Map<string, ContactState>;
  after: Map<string, ContactState>;
  links: LinkWrite[];
  /** Old ids of renamed contacts: their links go (the link follows the rename). */
  renamedIds: string[];
  tombstones: { externalId: string; etag: string | null }[];
  activity: ActivityWrite[];
  failures: FailureWrite[];
  /** Ids whose earlier failure is now resolved. */
  clearedFailures: string[];
}

/** The context statements are written in. */
export interface WriteContext {
  db: ContactsDatabase;
  butlerSchema: string;
  provider: string;
  accountId: string;
  now: Date;
}

const diffKeys = <T>(before: Map<string, T> | Set<string>, after: Map<string, T> | Set<string>) => ({
  added: [...after.keys()].filter((k) => !before.has(k)),
  removed: [...before.keys()].filter((k) => !after.has(k)),
});

/**
 * Writes a page with set-based statements: at most one insert, update or delete per table and
 * kind, each fed by one JSON parameter, whatever the page size. Empty lists cost nothing.
 */
export async function writePage(ctx: WriteContext, w: PageWrites): Promise<void> {
  const { db, now } = ctx;
  const s = sql.identifier(ctx.butlerSchema);
  const at = now.toISOString();
  const exec = (rows: unknown[], query: () => ReturnType<typeof sql>) =>
    rows.length > 0 ? db.execute(query()) : Promise.resolve();

  const inserts: Record<string, unknown>[] = [];
  const updates: Record<string, unknown>[] = [];
  const infoAdd: Record<string, unknown>[] = [];
  const infoDel: Record<string, unknown>[] = [];
  const addrAdd: Record<string, unknown>[] = [];
  const addrDel: string[] = [];
  const dateAdd: Record<string, unknown>[] = [];
  const dateDel: string[] = [];
  const labelAdd: { contact_id: string; name: string }[] = [];
  const labelDel: { contact_id: string; name: string }[] = [];
  // Rows kept under the same key whose details the source changed (provenance replaced the item).
  const infoMod: Record<string, unknown>[] = [];
  const addrMod: Record<string, unknown>[] = [];
  const dateMod: Record<string, unknown>[] = [];
  const modifiedKeys = <T>(before: Map<string, T> | undefined, after: Map<string, T>) =>
    before ? [...after.keys()].filter((k) => before.has(k) && before.get(k) !== after.get(k)) : [];

  for (const [id, after] of w.after) {
    const before = w.before.get(id);
    const metadata = encodeProvenance(after.metadata);
    const row = { id, ...after.fields, metadata };
    if (after.isNew) inserts.push(row);
    else if (
      before &&
      (SCALAR_FIELDS.some((f) => before.fields[f] !== after.fields[f]) ||
        canonicalJson(encodeProvenance(before.metadata)) !== canonicalJson(metadata))
    ) {
      updates.push(row);
    }
    const info = diffKeys(before?.info ?? new Map(), after.info);
    for (const k of info.added) {
      const i = after.info.get(k)!;
      infoAdd.push({
        contact_id: id,
        type: i.type,
        value: i.value,
        v: i.normalized,
        label: i.label,
        is_primary: i.primary,
      });
    }
    for (const k of info.removed) {
      const i = before!.info.get(k)!;
      infoDel.push({ contact_id: id, type: i.type, v: i.normalized });
    }
    const addresses = diffKeys(before?.addresses ?? new Map(), after.addresses);
    for (const k of addresses.added) {
      const { key: _key, id: _id, ...a } = after.addresses.get(k)!;
      addrAdd.push({ contact_id: id, ...a });
    }
    for (const k of addresses.removed) addrDel.push(before!.addresses.get(k)!.id!);
    const dates = diffKeys(before?.dates ?? new Map(), after.dates);
    for (const k of dates.added) {
      const { key: _key, id: _id, ...d } = after.dates.get(k)!;
      dateAdd.push({ contact_id: id, ...d });
    }
    for (const k of dates.removed) dateDel.push(before!.dates.get(k)!.id!);
    for (const k of modifiedKeys(before?.info, after.info)) {
      const i = after.info.get(k)!;
      infoMod.push({
        contact_id: id,
        type: i.type,
        v: i.normalized,
        value: i.value,
        label: i.label,
        is_primary: i.primary,
      });
    }
    for (const k of modifiedKeys(before?.addresses, after.addresses)) {
      const { key: _key, ...a } = after.addresses.get(k)!;
      addrMod.push(a);
    }
    for (const k of modifiedKeys(before?.dates, after.dates)) {
      const d = after.dates.get(k)!;
      dateMod.push({ id: d.id, year: d.year });
    }
    const labels = diffKeys(before?.labels ?? new Set<string>(), after.labels);
    for (const name of labels.added) labelAdd.push({ contact_id: id, name });
    for (const name of labels.removed) labelDel.push({ contact_id: id, name });
  }

  const contactCols =
    'id uuid, name text, first_name text, middle_name text, last_name text, nickname text, company text, job_title text, avatar_url text, metadata jsonb';
  await exec(
    inserts,
    () => sql`insert into shared.contacts
      (id, name, first_name, middle_name, last_name, nickname, company, job_title, avatar_url, metadata, created_at, updated_at)
    select id, name, first_name, middle_name, last_name, nickname, company, job_title, avatar_url, metadata, ${at}::timestamptz, ${at}::timestamptz
    from ${jsonRows(inserts, contactCols)}`,
  );
  await exec(
    updates,
    () => sql`update shared.contacts c set name = r.name, first_name = r.first_name,
      middle_name = r.middle_name, last_name = r.last_name, nickname = r.nickname, company = r.company,
      job_title = r.job_title, avatar_url = r.avatar_url, metadata = r.metadata, updated_at = ${at}::timestamptz
    from ${jsonRows(updates, contactCols)} where c.id = r.id`,
  );
  await exec(
    infoDel,
    () => sql`delete from shared.contact_info ci using ${jsonRows(infoDel, 'contact_id uuid, type text, v text')}
    where ci.contact_id = r.contact_id and ci.type = r.type and ci.normalized_value = r.v`,
  );
  await exec(
    infoAdd,
    () => sql`insert into shared.contact_info (contact_id, type, value, normalized_value, label, is_primary, created_at)
    select contact_id, type, value, v, label, is_primary, ${at}::timestamptz
    from ${jsonRows(infoAdd, 'contact_id uuid, type text, value text, v text, label text, is_primary boolean')}
    on conflict (contact_id, type, normalized_value) do nothing`,
  );
  await exec(
    addrDel,
    () => sql`delete from ${s}.addresses a
    using jsonb_array_elements_text(${toJsonText(addrDel)}::text::jsonb) as x(id) where a.id = x.id::uuid`,
  );
  await exec(
    addrAdd,
    () => sql`insert into ${s}.addresses
      (contact_id, label, line_1, line_2, city, province, postal_code, country, created_at, updated_at)
    select contact_id, label, line_1, line_2, city, province, postal_code, country, ${at}::timestamptz, ${at}::timestamptz
    from ${jsonRows(addrAdd, 'contact_id uuid, label text, line_1 text, line_2 text, city text, province text, postal_code text, country text')}`,
  );
  await exec(
    dateDel,
    () => sql`delete from ${s}.important_dates d
    using jsonb_array_elements_text(${toJsonText(dateDel)}::text::jsonb) as x(id) where d.id = x.id::uuid`,
  );
  await exec(
    dateAdd,
    () => sql`insert into ${s}.important_dates (contact_id, label, month, day, year, created_at)
    select contact_id, label, month, day, year, ${at}::timestamptz
    from ${jsonRows(dateAdd, 'contact_id uuid, label text, month int, day int, year int')}
    on conflict (contact_id, label, month, day) do nothing`,
  );
  await exec(
    infoMod,
    () => sql`update shared.contact_info ci set value = r.value, label = r.label, is_primary = r.is_primary
    from ${jsonRows(infoMod, 'contact_id uuid, type text, v text, value text, label text, is_primary boolean')}
    where ci.contact_id = r.contact_id and ci.type = r.type and ci.normalized_value = r.v`,
  );
  await exec(
    addrMod,
    () => sql`update ${s}.addresses a set label = r.label, line_1 = r.line_1, line_2 = r.line_2, city = r.city,
      province = r.province, postal_code = r.postal_code, country = r.country, updated_at = ${at}::timestamptz
    from ${jsonRows(addrMod, 'id uuid, label text, line_1 text, line_2 text, city text, province text, postal_code text, country text')}
    where a.id = r.id`,
  );
  await exec(
    dateMod,
    () => sql`update ${s}.important_dates d set year = r.year
    from ${jsonRows(dateMod, 'id uuid, year int')} where d.id = r.id`,
  );
  await exec(
    labelDel,
    () => sql`delete from ${s}.contact_labels cl using ${s}.labels l, ${jsonRows(labelDel, 'contact_id uuid, name text')}
    where cl.label_id = l.id and l.name = r.name and cl.contact_id = r.contact_id`,
  );
  if (labelAdd.length > 0) {
    // In one order for every page: two pages inserting the same new labels wait on each other's
    // unique-index entries, and in opposite orders they would deadlock.
    const names = [...new Set(labelAdd.map((l) => l.name))].sort();
    await db.execute(sql`insert into ${s}.labels (name, created_at)
      select x.name, ${at}::timestamptz
      from jsonb_array_elements_text(${toJsonText(names)}::text::jsonb) with ordinality as x(name, n)
      order by x.n
      on conflict (name) do nothing`);
    await db.execute(sql`insert into ${s}.contact_labels (label_id, contact_id, created_at)
      select l.id, r.contact_id, ${at}::timestamptz from ${jsonRows(labelAdd, 'contact_id uuid, name text')}
      join ${s}.labels l on l.name = r.name
      on conflict do nothing`);
  }

  await exec(
    w.renamedIds,
    () => sql`delete from ${s}.contacts_source_links l
    using jsonb_array_elements_text(${toJsonText(w.renamedIds)}::text::jsonb) as x(id)
    where l.provider = ${ctx.provider} and l.account_id = ${ctx.accountId} and l.external_contact_id = x.id`,
  );
  await exec(
    w.links,
    () => sql`insert into ${s}.contacts_source_links
      (provider, account_id, external_contact_id, local_contact_id, source_etag, first_seen_at, last_seen_at, deleted_at)
    select ${ctx.provider}, ${ctx.accountId}, r."externalId", r."contactId", r.etag, ${at}::timestamptz, ${at}::timestamptz, null
    from ${jsonRows(w.links, '"externalId" text, "contactId" uuid, etag text')}
    on conflict (provider, account_id, external_contact_id) do update set
      local_contact_id = excluded.local_contact_id, source_etag = excluded.source_etag,
      last_seen_at = excluded.last_seen_at, deleted_at = null`,
  );
  await exec(
    w.tombstones,
    () => sql`update ${s}.contacts_source_links l
    set deleted_at = ${at}::timestamptz, source_etag = coalesce(r.etag, l.source_etag), last_seen_at = ${at}::timestamptz
    from ${jsonRows(w.tombstones, '"externalId" text, etag text')}
    where l.provider = ${ctx.provider} and l.account_id = ${ctx.accountId} and l.external_contact_id = r."externalId"`,
  );
  await exec(
    w.activity,
    () => sql`insert into ${s}.activity_feed (contact_id, type, description, details, created_at)
    select contact_id, type, description, details, ${at}::timestamptz
    from ${jsonRows(w.activity, 'contact_id uuid, type text, description text, details jsonb')}`,
  );
  await exec(
    w.clearedFailures,
    () => sql`delete from ${s}.contacts_sync_failures f
    using jsonb_array_elements_text(${toJsonText(w.clearedFailures)}::text::jsonb) as x(id)
    where f.provider = ${ctx.provider} and f.account_id = ${ctx.accountId} and f.external_contact_id = x.id`,
  );
  await exec(
    w.failures,
    () => sql`insert into ${s}.contacts_sync_failures as f
      (provider, account_id, external_contact_id, error, raw, attempts, first_failed_at, last_failed_at)
    select ${ctx.provider}, ${ctx.accountId}, r.external_contact_id, r.error, r.raw, 1, ${at}::timestamptz, ${at}::timestamptz
    from ${jsonRows(w.failures, 'external_contact_id text, error text, raw jsonb')}
    on conflict (provider, account_id, external_contact_id) do update set
      error = excluded.error, raw = excluded.raw, attempts = f.attempts + 1, last_failed_at = excluded.last_failed_at`,
  );
}
