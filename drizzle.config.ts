import { defineConfig } from 'drizzle-kit';

/**
 * drizzle-kit config for `@contacts/schema`. The data model has two migration sets, because
 * `shared` is one per database while the butler tables are created once per butler schema:
 * - `CONTACTS_MIGRATIONS_TARGET=shared` (default): `shared.contacts`, `shared.contact_info`;
 * - `CONTACTS_MIGRATIONS_TARGET=butler`: the butler tables, for a placeholder schema name.
 * `pnpm db:generate` runs both; `pnpm db:check` checks both against the committed SQL.
 * `CONTACTS_MIGRATIONS_OUT` and `CONTACTS_MIGRATIONS_SCHEMA` redirect output and input (db:check uses them).
 */
const target = process.env.CONTACTS_MIGRATIONS_TARGET === 'butler' ? 'butler' : 'shared';
const schemaFile =
  target === 'butler'
    ? './packages/schema/src/tables/drizzle-kit-butler.ts'
    : './packages/schema/src/tables/shared.ts';

export default defineConfig({
  dialect: 'postgresql',
  schema: process.env.CONTACTS_MIGRATIONS_SCHEMA ?? schemaFile,
  out: process.env.CONTACTS_MIGRATIONS_OUT ?? `./packages/schema/drizzle/${target}`,
  strict: true,
});
