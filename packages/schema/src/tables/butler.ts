import { sql } from 'drizzle-orm';
import {
  bigserial,
  boolean,
  check,
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
import { contacts } from './shared.js';

const createdAt = () => timestamp('created_at', { withTimezone: true }).notNull().defaultNow();
const updatedAt = () => timestamp('updated_at', { withTimezone: true }).notNull().defaultNow();
const contactRef = () =>
  uuid('contact_id')
    .notNull()
    .references(() => contacts.id, { onDelete: 'cascade' });

/**
 * The tables a butler owns, in the Postgres schema the host chose for it. Build them for a schema
 * name with {@link butlerTables}; `migrate()` creates them there.
 *
 * @example
 * ```ts
 * const t = butlerTables('relationship');
 * const links = await db.select().from(t.contactsSourceLinks);
 * ```
 */
export function butlerTables(butlerSchema: string): ButlerTables {
  // Built once per schema name: a sync builds a store per page, and drizzle's table objects
  // (every column, every foreign key) cost more to build than the page's unchanged rows do to skip.
  let tables = built.get(butlerSchema);
  if (!tables) {
    tables = buildButlerTables(butlerSchema);
    built.set(butlerSchema, tables);
  }
  return tables;
}

const built = new Map<string, ButlerTables>();

function buildButlerTables(butlerSchema: string) {
  const schema = pgSchema(butlerSchema);

  const addresses = schema.table(
    'addresses',
    {
      id: uuid('id').primaryKey().defaultRandom(),
      contactId: contactRef(),
      label: text('label').notNull().default('Home'),
      line1: text('line_1').notNull(),
      line2: text('line_2'),
      city: text('city'),
      province: text('province'),
      postalCode: text('postal_code'),
      country: text('country'),
      isCurrent: boolean('is_current').notNull().default(true),
      createdAt: createdAt(),
      updatedAt: updatedAt(),
    },
    (t) => [
      index('addresses_contact_idx').on(t.contactId),
      check('addresses_country_iso', sql`${t.country} ~ '^[A-Z]{2}$'`),
    ],
  );

  const importantDates = schema.table(
    'important_dates',
    {
      id: uuid('id').primaryKey().defaultRandom(),
      contactId: contactRef(),
      label: text('label').notNull(),
      month: integer('month').notNull(),
      day: integer('day').notNull(),
      year: integer('year'),
      createdAt: createdAt(),
    },
    (t) => [
      uniqueIndex('important_dates_contact_label_day_key').on(t.contactId, t.label, t.month, t.day),
      check('important_dates_month_range', sql`${t.month} between 1 and 12`),
      check('important_dates_day_range', sql`${t.day} between 1 and 31`),
    ],
  );

  const labels = schema.table('labels', {
    id: uuid('id').primaryKey().defaultRandom(),
    name: text('name').notNull().unique('labels_name_key'),
    color: text('color'),
    createdAt: createdAt(),
  });

  const contactLabels = schema.table(
    'contact_labels',
    {
      labelId: uuid('label_id')
        .notNull()
        .references(() => labels.id, { onDelete: 'cascade' }),
      contactId: contactRef(),
      createdAt: createdAt(),
    },
    (t) => [
      primaryKey({ name: 'contact_labels_pkey', columns: [t.labelId, t.contactId] }),
      index('contact_labels_contact_idx').on(t.contactId),
    ],
  );

  const activityFeed = schema.table(
    'activity_feed',
    {
      id: uuid('id').primaryKey().defaultRandom(),
      contactId: contactRef(),
      type: text('type').notNull(),
      description: text('description').notNull(),
      details: jsonb('details').$type<Record<string, unknown>>().notNull().default({}),
      createdAt: createdAt(),
    },
    (t) => [
      index('activity_feed_contact_created_idx').on(t.contactId, t.createdAt),
      index('activity_feed_created_idx').on(t.createdAt),
    ],
  );

  const contactsSourceLinks = schema.table(
    'contacts_source_links',
    {
      provider: text('provider').notNull(),
      accountId: text('account_id').notNull(),
      externalContactId: text('external_contact_id').notNull(),
      localContactId: uuid('local_contact_id').references(() => contacts.id, { onDelete: 'set null' }),
      sourceEtag: text('source_etag'),
      firstSeenAt: timestamp('first_seen_at', { withTimezone: true }).notNull().defaultNow(),
      lastSeenAt: timestamp('last_seen_at', { withTimezone: true }).notNull().defaultNow(),
      deletedAt: timestamp('deleted_at', { withTimezone: true }),
    },
    (t) => [
      primaryKey({
        name: 'contacts_source_links_pkey',
        columns: [t.provider, t.accountId, t.externalContactId],
      }),
      index('contacts_source_links_local_contact_idx').on(t.localContactId),
    ],
  );

  const contactsSyncState = schema.table(
    'contacts_sync_state',
    {
      provider: text('provider').notNull(),
      accountId: text('account_id').notNull(),
      syncCursor: text('sync_cursor'),
      cursorIssuedAt: timestamp('cursor_issued_at', { withTimezone: true }),
      lastFullSyncAt: timestamp('last_full_sync_at', { withTimezone: true }),
      lastIncrementalSyncAt: timestamp('last_incremental_sync_at', { withTimezone: true }),
      lastSuccessAt: timestamp('last_success_at', { withTimezone: true }),
      lastError: text('last_error'),
      // The error's code (`AUTH_FAILED`, `RATE_LIMITED`, ...): every process can tell an auth
      // error from another failure, not only the one that met it.
      lastErrorCode: text('last_error_code'),
      checkpoint: jsonb('checkpoint').$type<Record<string, unknown>>(),
      // Deletions a listing would have made but the deletion guard held (too many at once): what
      // the status shows and what a confirmation applies, `{ mode, count, of, listed_at, ids }`;
      // null when none are held. Kept across cycles until confirmed or judged again by a full listing.
      deletionHold: jsonb('deletion_hold').$type<Record<string, unknown>>(),
      // The sync lease: one sync per (provider, account) across processes and hosts.
      lockOwner: text('lock_owner'),
      lockExpiresAt: timestamp('lock_expires_at', { withTimezone: true }),
      // The schedule (core's sync policy decides it, every process reads it): a restarted host
      // neither forgets a backoff nor repeats a full sync that is not due. Null: due now.
      nextIncrementalDueAt: timestamp('next_incremental_due_at', { withTimezone: true }),
      nextFullDueAt: timestamp('next_full_due_at', { withTimezone: true }),
      consecutiveFailures: integer('consecutive_failures').notNull().default(0),
      // The source asked for no request before this instant (a rate limit's retry-after).
      retryAfter: timestamp('retry_after', { withTimezone: true }),
      // Not polled: `auth` until the credentials change (or a person asks), `disabled`.
      parkedReason: text('parked_reason'),
      // A fingerprint of the credentials revision that was refused (never the credentials): a
      // restarted host waits for new ones instead of retrying them.
      parkedCredentials: text('parked_credentials'),
      // The account's contact groups as last listed, `{ "<external id>": { "name", "system" } }`
      // (null: never listed): an incremental sync lists groups only when a page names one not
      // here, so a quiet poll costs the source one request. A full sync lists them again.
      groups: jsonb('groups').$type<Record<string, { name: string; system: boolean }>>(),
      updatedAt: updatedAt(),
    },
    (t) => [
      primaryKey({ name: 'contacts_sync_state_pkey', columns: [t.provider, t.accountId] }),
      check('contacts_sync_state_parked_reason', sql`${t.parkedReason} in ('auth', 'disabled')`),
      check('contacts_sync_state_consecutive_failures', sql`${t.consecutiveFailures} >= 0`),
    ],
  );

  const contactsSyncFailures = schema.table(
    'contacts_sync_failures',
    {
      provider: text('provider').notNull(),
      accountId: text('account_id').notNull(),
      externalContactId: text('external_contact_id').notNull(),
      error: text('error').notNull(),
      raw: jsonb('raw'),
      attempts: integer('attempts').notNull().default(1),
      firstFailedAt: timestamp('first_failed_at', { withTimezone: true }).notNull().defaultNow(),
      lastFailedAt: timestamp('last_failed_at', { withTimezone: true }).notNull().defaultNow(),
    },
    (t) => [
      primaryKey({
        name: 'contacts_sync_failures_pkey',
        columns: [t.provider, t.accountId, t.externalContactId],
      }),
    ],
  );

  // The external ids each committed page of an unfinished listing recorded, one row per page: what
  // a FULL listing saw, or what an INCREMENTAL listing was told was deleted (deletions wait for the
  // listing's end, where the deletion guard judges them all at once). A listing resumed after a
  // crash reads them back; the row set is emptied when the listing completes or starts over.
  const contactsSyncSeen = schema.table(
    'contacts_sync_seen',
    {
      id: bigserial('id', { mode: 'number' }).primaryKey(),
      provider: text('provider').notNull(),
      accountId: text('account_id').notNull(),
      externalIds: text('external_ids').array().notNull(),
      createdAt: createdAt(),
    },
    (t) => [index('contacts_sync_seen_account_idx').on(t.provider, t.accountId)],
  );

  const butlerSecrets = schema.table('butler_secrets', {
    secretKey: text('secret_key').primaryKey(),
    secretValue: text('secret_value').notNull(),
    category: text('category').notNull().default('general'),
    description: text('description'),
    isSensitive: boolean('is_sensitive').notNull().default(true),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
    expiresAt: timestamp('expires_at', { withTimezone: true }),
  });

  return {
    schema,
    addresses,
    importantDates,
    labels,
    contactLabels,
    activityFeed,
    contactsSourceLinks,
    contactsSyncState,
    contactsSyncFailures,
    contactsSyncSeen,
    butlerSecrets,
  };
}

/**
 * The tables of one butler schema, as returned by {@link butlerTables}.
 *
 * @example
 * ```ts
 * const t: ButlerTables = butlerTables('relationship');
 * const states = await db.select().from(t.contactsSyncState);
 * ```
 */
export type ButlerTables = ReturnType<typeof buildButlerTables>;
