import { spawnSync } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const script = fileURLToPath(new URL('../scripts/db-check.mjs', import.meta.url));
const drifted = fileURLToPath(new URL('./tables/.drift-test.ts', import.meta.url));

const run = (env: Record<string, string> = {}) =>
  spawnSync(process.execPath, [script], { encoding: 'utf8', env: { ...process.env, ...env } });

describe('pnpm db:check', () => {
  afterAll(() => rmSync(drifted, { force: true }));

  it('passes while the Drizzle tables match the committed migrations', () => {
    const result = run();
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
  });

  it('fails when a table changed without a migration', () => {
    // The shared tables plus one table no migration creates.
    writeFileSync(
      drifted,
      `import { text } from 'drizzle-orm/pg-core';
export * from './shared.js';
import { sharedSchema } from './shared.js';
export const drift = sharedSchema.table('drift', { id: text('id').primaryKey() });
`,
    );
    const result = run({ CONTACTS_MIGRATIONS_SCHEMA_SHARED: './packages/schema/src/tables/.drift-test.ts' });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('the shared tables differ');
  });

  it('fails when a butler table changed without a migration', () => {
    // The butler tables plus one the migrations do not create.
    writeFileSync(
      drifted,
      `import { text } from 'drizzle-orm/pg-core';
export * from './drizzle-kit-butler.js';
import { schema } from './drizzle-kit-butler.js';
export const drift = schema.table('drift', { id: text('id').primaryKey() });
`,
    );
    const result = run({ CONTACTS_MIGRATIONS_SCHEMA_BUTLER: './packages/schema/src/tables/.drift-test.ts' });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('the butler tables differ');
    expect(result.stderr).not.toContain('the shared tables differ');
  });
});
