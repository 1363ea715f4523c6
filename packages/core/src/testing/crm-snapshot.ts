/**
 * Reads the whole CRM as a canonical projection that does not depend on generated uuids, so two
 * runs can be compared: the same address book synced page by page, resumed after a crash, or in
 * another order must give an equal projection. For tests of providers and hosts.
 */
import { type ContactsDatabase, queryRows } from '@contacts/schema';
import { sql } from 'drizzle-orm';

/** One CRM contact, with everything hanging off it, as sorted strings. */
export interface ContactView {
  id: string;
  name: string;
  first_name: string | null;
  middle_name: string | null;
  last_name: string | null;
  nickname: string | null;
  company: string | null;
  job_title: string | null;
  avatar_url: string | null;
  archived: boolean;
  metadata: unknown;
  /** `type|normalized|value|label|primary` */
  info: string[];
  /** `label|line_1|line_2|city|province|postal_code|country` */
  addresses: string[];
  /** `label|month|day|year` */
  dates: string[];
  labels: string[];
  /** `provider:account:external_id` plus ` (deleted)` for tombstoned links */
  links: string[];
  activity: string[];
}

const group = <T extends { contact_id: string }>(rows: T[], f: (r: T) => string) => {
  const map = new Map<string, string[]>();
  for (const r of rows) map.set(r.contact_id, [...(map.get(r.contact_id) ?? []), f(r)]);
  for (const list of map.values()) list.sort();
  return map;
};

/**
 * Every contact of the CRM with its rows.
 *
 * @example
 * ```ts
 * const [ada] = await readContacts(db, 'relationship');
 * ada.info; // ['email|ada@example.org|ada@example.org||true']
 * ```
 */
export async function readContacts(db: ContactsDatabase, butlerSchema: string): Promise<ContactView[]> {
  const s = sql.identifier(butlerSchema);
  const contacts = await queryRows<Record<string, string | null>>(
    db,
    sql`select id, name, first_name, middle_name, last_name, nickname, company, job_title, avatar_url,
        archived_at is not null as archived, metadata::text as metadata from shared.contacts`,
  );
  const info = group(
    await queryRows<Record<string, string> & { contact_id: string }>(
      db,
      sql`select contact_id, type, normalized_value, value, coalesce(label, '') as label, is_primary::text as p
        from shared.contact_info`,
    ),
    (r) => `${r.type}|${r.normalized_value}|${r.value}|${r.label}|${r.p}`,
  );
  const addresses = group(
    await queryRows<Record<string, string> & { contact_id: string }>(
      db,
      sql`select contact_id, concat_ws('|', label, line_1, coalesce(line_2, ''), coalesce(city, ''),
          coalesce(province, ''), coalesce(postal_code, ''), coalesce(country, '')) as v from ${s}.addresses`,
    ),
    (r) => r.v!,
  );
  const dates = group(
    await queryRows<{ contact_id: string; v: string }>(
      db,
      sql`select contact_id, concat_ws('|', label, month, day, coalesce(year::text, '')) as v from ${s}.important_dates`,
    ),
    (r) => r.v,
  );
  const labels = group(
    await queryRows<{ contact_id: string; v: string }>(
      db,
      sql`select cl.contact_id, l.name as v from ${s}.contact_labels cl join ${s}.labels l on l.id = cl.label_id`,
    ),
    (r) => r.v,
  );
  const links = group(
    await queryRows<{ contact_id: string; v: string }>(
      db,
      sql`select local_contact_id as contact_id,
          provider || ':' || account_id || ':' || external_contact_id
            || case when deleted_at is null then '' else ' (deleted)' end as v
        from ${s}.contacts_source_links where local_contact_id is not null`,
    ),
    (r) => r.v,
  );
  const activity = group(
    await queryRows<{ contact_id: string; v: string }>(
      db,
      sql`select contact_id, type as v from ${s}.activity_feed`,
    ),
    (r) => r.v,
  );
  return contacts.map((c) => {
    const id = String(c.id);
    return {
      id,
      name: String(c.name),
      first_name: c.first_name ?? null,
      middle_name: c.middle_name ?? null,
      last_name: c.last_name ?? null,
      nickname: c.nickname ?? null,
      company: c.company ?? null,
      job_title: c.job_title ?? null,
      avatar_url: c.avatar_url ?? null,
      archived: (c.archived as unknown) === true,
      metadata: JSON.parse(String(c.metadata)),
      info: info.get(id) ?? [],
      addresses: addresses.get(id) ?? [],
      dates: dates.get(id) ?? [],
      labels: labels.get(id) ?? [],
      links: links.get(id) ?? [],
      activity: activity.get(id) ?? [],
    };
  });
}

/**
 * The CRM up to renaming of uuids: contacts without their ids, sorted, plus the links that lost
 * their contact. Two CRMs with the same projection hold the same people, rows, links and (unless
 * `activity: false`) activity entry types.
 *
 * @example
 * ```ts
 * expect(await crmProjection(crashed.db, 'relationship')).toEqual(await crmProjection(clean.db, 'relationship'));
 * ```
 */
export async function crmProjection(
  db: ContactsDatabase,
  butlerSchema: string,
  options: { activity?: boolean } = {},
): Promise<{ contacts: string[]; orphanLinks: string[] }> {
  const views = await readContacts(db, butlerSchema);
  const contacts = views
    .map(({ id: _id, activity, ...rest }) =>
      JSON.stringify(options.activity === false ? rest : { ...rest, activity }),
    )
    .sort();
  const orphans = await queryRows<{ v: string }>(
    db,
    sql`select provider || ':' || account_id || ':' || external_contact_id as v
      from ${sql.identifier(butlerSchema)}.contacts_source_links where local_contact_id is null order by 1`,
  );
  return { contacts, orphanLinks: orphans.map((o) => o.v) };
}
