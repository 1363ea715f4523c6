/**
 * Entry point for drizzle-kit only: the butler tables built for a placeholder schema name that
 * `migrate()` replaces with the host's schema. Not exported from the package.
 */
import { BUTLER_SCHEMA_PLACEHOLDER } from '../schema-name.js';
import { butlerTables } from './butler.js';

export const {
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
} = butlerTables(BUTLER_SCHEMA_PLACEHOLDER);
