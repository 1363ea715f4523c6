import { sql } from 'drizzle-orm';
import { boolean, index, jsonb, pgSchema, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';

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
