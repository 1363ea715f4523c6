import { describe, expect, it } from 'vitest';
import type { CliIo } from './cli-io.js';
import { resolveGlobals } from './options.js';

const io = (env: Record<string, string> = {}): CliIo => ({
  stdout: process.stdout,
  stderr: process.stderr,
  env,
  cwd: '/srv/butler',
});

describe('resolveGlobals', () => {
  it('takes the database URLs postgres.js takes, multi-host ones included', () => {
    for (const url of [
      'postgres://ada:pw@db.example:5432/crm',
      'postgresql://db.example/crm?sslmode=require',
      'postgres://h1:5432,h2:5432/crm',
    ]) {
      expect(resolveGlobals({ databaseUrl: url }, io()).database).toEqual({
        kind: 'postgres',
        url,
        connectTimeoutMs: 10_000,
      });
    }
    expect(resolveGlobals({}, io({ CONTACTS_DATABASE_URL: 'postgres://h1,h2/crm' })).database).toMatchObject({
      kind: 'postgres',
    });
  });

  it('refuses other schemes without echoing the URL (it may hold a password)', () => {
    for (const url of ['mysql://ada:hunter2@db/crm', 'db.example/crm', 'postgres//db/crm']) {
      expect(() => resolveGlobals({ databaseUrl: url }, io())).toThrow(
        /^--database-url must be a postgres:\/\/ or postgresql:\/\/ URL\.$/,
      );
    }
  });

  it('still wants a real URL for Google', () => {
    expect(() => resolveGlobals({ googleRootUrl: 'http://h1,h2/' }, io())).not.toThrow();
    expect(() => resolveGlobals({ googleRootUrl: 'ftp://x/' }, io())).toThrow(/--google-root-url must be/);
  });
});
