export { type ContactsDatabase, queryRows } from './database.js';
export { SchemaError, type SchemaErrorCode } from './errors.js';
export { type MigrateOptions, type MigrateResult, migrate } from './migrate.js';
export { assertButlerSchemaName, DEFAULT_BUTLER_SCHEMA, quoteIdent } from './schema-name.js';
export { type ButlerTables, butlerTables } from './tables/butler.js';
export {
  type ContactMetadata,
  contactInfo,
  contacts,
  sharedSchema,
  upstreamPauses,
  upstreamSlots,
} from './tables/shared.js';
