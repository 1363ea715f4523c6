import { sql } from 'drizzle-orm';
import {
  boolean,
  index,
  integer,
  jsonb,
  pgSchema,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';

/**
 * The `shared` Postgres schema: identity every butler of a database shares. Its name is fixed.
 *
 * @example
 * ```ts
 * sharedSchema.schemaName; // 'shared'
 * ```
 */
export const sharedSchema = pgSchema('shared');

/**
 * Provenance kept in `shared.contacts.metadata`; see docs/provenance in design.md.
 *
 * @example
 * ```ts
 * const [row] = await db.select({ metadata: contacts.metadata }).from(contacts).limit(1);
 * const metadata: ContactMetadata | undefined = row?.metadata;
 * ```
 */
export type ContactMetadata = Record<string, unknown>;

/**
 * `shared.contacts`: one row per person in the CRM.
 *
 * @example
 * ```ts
 * import { contacts } from '@contacts/schema';
 * const rows = await db.select().from(contacts).where(isNull(contacts.archivedAt));
 * ```
 */
export const contacts = sharedSchema.table(
  'contacts',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    name: text('name').notNull(),
    firstName: text('first_name'),
    middleName: text('middle_name'),
    lastName: text('last_name'),
    nickname: text('nickname'),
    company: text('company'),
    jobTitle: text('job_title'),
    avatarUrl: text('avatar_url'),
    metadata: jsonb('metadata').$type<ContactMetadata>().notNull().default({}),
    archivedAt: timestamp('archived_at', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  // Expression indexes serve the resolver's case-insensitive name match.
  (t) => [
    index('contacts_lower_name_idx').on(sql`lower(${t.name})`),
    index('contacts_lower_nickname_idx').on(sql`lower(${t.nickname})`),
    index('contacts_lower_first_last_idx').on(sql`lower(${t.firstName} || ' ' || ${t.lastName})`),
  ],
);

/**
 * `shared.contact_info`: emails, phones, websites and usernames of a contact. A value is stored
 * once per contact and type, compared by `normalized_value`.
 *
 * @example
 * ```ts
 * await db.insert(contactInfo).values({ contactId, type: 'email', value: 'A@x.org', normalizedValue: 'a@x.org' });
 * ```
 */
export const contactInfo = sharedSchema.table(
  'contact_info',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    contactId: uuid('contact_id')
      .notNull()
      .references(() => contacts.id, { onDelete: 'cascade' }),
    type: text('type').notNull(),
    value: text('value').notNull(),
    normalizedValue: text('normalized_value').notNull(),
    label: text('label'),
    isPrimary: boolean('is_primary').notNull().default(false),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('contact_info_contact_type_value_key').on(t.contactId, t.type, t.normalizedValue),
    index('contact_info_type_value_idx').on(t.type, t.normalizedValue),
  ],
);

/**
 * `shared.upstream_slots`: the held slots of each upstream's concurrency cap (a Google OAuth
 * client, a CardDAV host), across every worker of the database. Slot `n` of an upstream is one
 * row, so a cap of 4 is at most four rows, and two workers cannot both hold slot `n` (the primary
 * key). A row whose `lease_until` has passed is free: its holder died or stopped renewing it.
 * In `shared` because an upstream's quota is the same whichever butler schema syncs through it.
 *
 * @example
 * ```ts
 * const held = await db.select().from(upstreamSlots).where(gt(upstreamSlots.leaseUntil, now));
 * ```
 */
export const upstreamSlots = sharedSchema.table(
  'upstream_slots',
  {
    upstream: text('upstream').notNull(),
    slot: integer('slot').notNull(),
    /** Who holds it (worker and job), for status and logs. */
    owner: text('owner').notNull(),
    /** Drawn per acquire: only this holder renews or releases the slot, not a later one. */
    token: uuid('token').notNull(),
    leaseUntil: timestamp('lease_until', { withTimezone: true }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.upstream, t.slot] })],
);

/**
 * `shared.upstream_pauses`: an upstream paused after a project-wide 429, until `until` (one row
 * per upstream; a later pause only moves `until` later).
 *
 * @example
 * ```ts
 * const [pause] = await db.select().from(upstreamPauses).where(eq(upstreamPauses.upstream, key));
 * ```
 */
export const upstreamPauses = sharedSchema.table('upstream_pauses', {
  upstream: text('upstream').primaryKey(),
  until: timestamp('until', { withTimezone: true }).notNull(),
});
