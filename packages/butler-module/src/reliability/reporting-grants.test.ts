import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { queryRows } from '@contacts/schema';
import { describeDatabase } from '@contacts/schema/testing';
import { sql } from 'drizzle-orm';
import { afterEach, expect, it } from 'vitest';
import { DbCredentialStore } from '../credentials/db-credential-store.js';

// Issue 11, defect 10: a reporting role granted SELECT on the CRM's schema read butler_secrets.
// docs/host-integration.md documents the grants that keep it away; this runs that very SQL block
// (read from the doc, so the doc cannot drift from what was tested) and checks what the role can
// and cannot read.

const DOC = new URL('../../../../docs/host-integration.md', import.meta.url);

/** The SQL block after the `reporting-grants` marker, for `schema` and `role`. */
function documentedGrants(schema: string, role: string): string[] {
  const text = readFileSync(DOC, 'utf8');
  const block = /<!-- reporting-grants:[^>]*-->\s*```sql\n([\s\S]*?)```/.exec(text)?.[1];
  if (!block) throw new Error('docs/host-integration.md has no reporting-grants SQL block');
  return block
    .replace(/--[^\n]*/g, '')
    .split(';')
    .map((statement) => statement.trim())
    .filter(Boolean)
    .map((statement) => statement.replace(/\brelationship\b/g, schema).replace(/\breporting\b/g, role));
}

describeDatabase('the documented grants for a reporting role', (t) => {
  // Roles belong to the whole PostgreSQL cluster: a name of its own, dropped after each test.
  const role = `contacts_reporting_${randomBytes(4).toString('hex')}`;
  afterEach(async () => {
    await t.db.execute(sql.raw(`drop owned by ${role}`)).catch(() => {});
    await t.db.execute(sql.raw(`drop role if exists ${role}`));
  });

  /** Runs `query` as the reporting role; the Postgres error code when it is refused. */
  const asReporting = async (query: string): Promise<'ok' | string> => {
    try {
      await t.db.transaction(async (tx) => {
        await tx.execute(sql.raw(`set local role ${role}`));
        await queryRows(tx, sql.raw(query));
      });
      return 'ok';
    } catch (error) {
      for (let e: unknown = error; e && typeof e === 'object'; e = (e as { cause?: unknown }).cause) {
        const code = (e as { code?: unknown }).code;
        if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)) return code;
      }
      throw error;
    }
  };

  it('read every other table, never a secret value', async () => {
    await new DbCredentialStore({ db: t.db, butlerSchema: t.butlerSchema }).set(
      'GOOGLE_REFRESH_TOKEN',
      '1//value',
    );
    await t.db.execute(sql.raw(`create role ${role} nologin`));
    const schema = t.butlerSchema;
    // Before: a role granted the schema's tables reads the secrets (the defect).
    await t.db.execute(sql.raw(`grant usage on schema shared, ${schema} to ${role}`));
    await t.db.execute(sql.raw(`grant select on all tables in schema shared, ${schema} to ${role}`));
    expect(await asReporting(`select secret_value from ${schema}.butler_secrets`)).toBe('ok');

    for (const statement of documentedGrants(schema, role)) await t.db.execute(sql.raw(statement));
    expect(await asReporting(`select * from ${schema}.butler_secrets`)).toBe('42501');
    expect(await asReporting(`select secret_value from ${schema}.butler_secrets`)).toBe('42501');
    expect(
      await asReporting(`select count(*) from ${schema}.butler_secrets where secret_value like '1%'`),
    ).toBe('42501');
    // What it may still read: which secrets exist, and every other table of both schemas.
    expect(await asReporting(`select secret_key, updated_at from ${schema}.butler_secrets`)).toBe('ok');
    const tables = await queryRows<{ schemaname: string; tablename: string }>(
      t.db,
      sql`select schemaname, tablename from pg_tables where schemaname in ('shared', ${schema}) and tablename <> 'butler_secrets'`,
    );
    expect(tables.length).toBeGreaterThan(5);
    for (const { schemaname, tablename } of tables) {
      expect(await asReporting(`select * from "${schemaname}"."${tablename}" limit 1`), tablename).toBe('ok');
    }
  });
});
