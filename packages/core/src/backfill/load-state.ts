import { type ContactsDatabase, queryRows } from '@contacts/schema';
import { sql } from 'drizzle-orm';
import { SCALAR_FIELDS, type ScalarValues } from './desired-contact.js';
import { toJsonText } from './json-rows.js';
import type { ContactState } from './provenance.js';
import { type ContactLink, cloneProvenance, decodeProvenance } from './provenance-codec.js';
import { addressKey, dateKey, type InfoType, infoKey } from './row-keys.js';

const ids = (contactIds: string[]) =>
  sql`jsonb_array_elements_text(${toJsonText(contactIds)}::text::jsonb) as x(id)`;

/**
 * Loads the CRM contacts a page touches, with their child rows, in five queries, and locks the
 * contact rows until the page commits, so a person's concurrent edit is never overwritten by a
 * value read before it. Rows are locked in id order (PostgreSQL locks after the sort): two pages
 * of different accounts writing the same people never wait on each other in a cycle (their
 * identity locks already order most such pages; this covers the rest). Each contact comes with
 * this butler's source links to it (tombstoned ones too): provenance of a deleted entry no
 * longer counts.
 */
export async function loadContactStates(
  db: ContactsDatabase,
  butlerSchema: string,
  contactIds: string[],
): Promise<Map<string, ContactState>> {
  const states = new Map<string, ContactState>();
  if (contactIds.length === 0) return states;
  const schema = sql.identifier(butlerSchema);
  const contacts = await queryRows<Record<string, unknown>>(
    db,
    sql`select c.id, c.name, c.first_name, c.middle_name, c.last_name, c.nickname, c.company, c.job_title,
        c.avatar_url, c.metadata::text as metadata,
        (select coalesce(jsonb_agg(jsonb_build_array(l.provider, l.account_id, l.external_contact_id,
            l.deleted_at is not null)), '[]'::jsonb)::text
          from ${schema}.contacts_source_links l where l.local_contact_id = c.id) as links
      from ${ids(contactIds)} join shared.contacts c on c.id = x.id::uuid
      order by c.id
      for update of c`,
  );
  for (const row of contacts) {
    const fields = Object.fromEntries(
      SCALAR_FIELDS.map((f) => [f, (row[f] as string | null) ?? null]),
    ) as ScalarValues;
    const links = (JSON.parse(String(row.links ?? '[]')) as [string, string, string, boolean][]).map(
      ([provider, accountId, externalId, deleted]): ContactLink => ({
        provider,
        accountId,
        externalId,
        deleted,
      }),
    );
    states.set(String(row.id), {
      id: String(row.id),
      isNew: false,
      fields,
      metadata: decodeProvenance(JSON.parse(String(row.metadata ?? '{}')), butlerSchema, links),
      info: new Map(),
      addresses: new Map(),
      dates: new Map(),
      labels: new Set(),
    });
  }
  const info = await queryRows<Record<string, unknown>>(
    db,
    sql`select ci.contact_id, ci.type, ci.value, ci.normalized_value, ci.label, ci.is_primary
      from ${ids(contactIds)} join shared.contact_info ci on ci.contact_id = x.id::uuid`,
  );
  for (const r of info) {
    const type = String(r.type) as InfoType;
    const key = infoKey(type, String(r.normalized_value));
    states.get(String(r.contact_id))?.info.set(key, {
      key,
      type,
      value: String(r.value),
      normalized: String(r.normalized_value),
      label: (r.label as string | null) ?? null,
      primary: r.is_primary === true,
    });
  }
  const addresses = await queryRows<Record<string, unknown>>(
    db,
    sql`select a.id, a.contact_id, a.label, a.line_1, a.line_2, a.city, a.province, a.postal_code, a.country
      from ${ids(contactIds)} join ${schema}.addresses a on a.contact_id = x.id::uuid`,
  );
  for (const r of addresses) {
    const parts = {
      line_1: String(r.line_1),
      line_2: (r.line_2 as string | null) ?? null,
      city: (r.city as string | null) ?? null,
      province: (r.province as string | null) ?? null,
      postal_code: (r.postal_code as string | null) ?? null,
      country: (r.country as string | null) ?? null,
    };
    const key = addressKey(parts);
    states
      .get(String(r.contact_id))
      ?.addresses.set(key, { key, id: String(r.id), label: String(r.label), ...parts });
  }
  const dates = await queryRows<Record<string, unknown>>(
    db,
    sql`select d.id, d.contact_id, d.label, d.month, d.day, d.year
      from ${ids(contactIds)} join ${schema}.important_dates d on d.contact_id = x.id::uuid`,
  );
  for (const r of dates) {
    const key = dateKey(String(r.label), Number(r.month), Number(r.day));
    states.get(String(r.contact_id))?.dates.set(key, {
      key,
      id: String(r.id),
      label: String(r.label),
      month: Number(r.month),
      day: Number(r.day),
      year: r.year == null ? null : Number(r.year),
    });
  }
  const labels = await queryRows<{ contact_id: string; name: string }>(
    db,
    sql`select cl.contact_id, l.name
      from ${ids(contactIds)} join ${schema}.contact_labels cl on cl.contact_id = x.id::uuid
      join ${schema}.labels l on l.id = cl.label_id`,
  );
  for (const r of labels) states.get(String(r.contact_id))?.labels.add(r.name);
  return states;
}

/** A copy of a state, to diff against after applying the page. */
export function cloneState(state: ContactState): ContactState {
  return {
    ...state,
    fields: { ...state.fields },
    metadata: cloneProvenance(state.metadata),
    info: new Map(state.info),
    addresses: new Map(state.addresses),
    dates: new Map(state.dates),
    labels: new Set(state.labels),
  };
}
