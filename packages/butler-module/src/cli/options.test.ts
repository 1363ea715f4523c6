import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ContactsModuleError } from '../errors.js';
import type { CliIo } from './cli-io.js';
import { type GlobalFlags, resolveGlobals } from './options.js';

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
    expect(() => resolveGlobals({ googleRootUrl: 'https://h1,h2/' }, io())).not.toThrow();
    expect(() => resolveGlobals({ googleRootUrl: 'ftp://x/' }, io())).toThrow(/--google-root-url must be/);
  });

  it('refuses plain http for Google unless the host is loopback: the token URL gets the client secret (issue 11)', () => {
    const url = 'http://user:pw-s3cret@token.example/token?key=q-s3cret';
    const refusals: [GlobalFlags, Record<string, string>, string][] = [
      [{ googleTokenUrl: url }, {}, '--google-token-url'],
      [{}, { CONTACTS_GOOGLE_TOKEN_URL: url }, '$CONTACTS_GOOGLE_TOKEN_URL'],
      [{ googleRootUrl: 'http://10.1.2.3:8080/' }, {}, '--google-root-url'],
      [{}, { CONTACTS_GOOGLE_ROOT_URL: 'http://people.example/' }, '$CONTACTS_GOOGLE_ROOT_URL'],
    ];
    for (const [flags, env, named] of refusals) {
      let error: unknown;
      try {
        resolveGlobals(flags, io(env));
      } catch (e) {
        error = e;
      }
      expect(error, named).toBeInstanceOf(ContactsModuleError);
      expect((error as ContactsModuleError).code).toBe('USAGE');
      const message = (error as Error).message;
      expect(
        message.startsWith(`${named} must be https:// (plain http:// only for a loopback host`),
        message,
      ).toBe(true);
      expect(message).toMatch(
        /token/i.test(named) ? /client secret and refresh token\.$/ : /access token\.$/,
      );
      expect(message).not.toMatch(/s3cret|token\.example|10\.1\.2\.3|people\.example/);
    }
    for (const local of [
      'http://127.0.0.1:4010/token',
      'http://localhost:4010/token',
      'http://[::1]:4010/token',
    ]) {
      expect(resolveGlobals({ googleTokenUrl: local }, io()).googleTokenUrl).toBe(local);
    }
    expect(
      resolveGlobals({}, io({ CONTACTS_GOOGLE_ROOT_URL: 'https://people.example/' })).googleRootUrl,
    ).toBe('https://people.example/');
  });

  it('never echoes a Google URL it refuses for its scheme', () => {
    expect(() => resolveGlobals({ googleTokenUrl: 'ftp://user:pw-s3cret@x/' }, io())).toThrow(
      /^--google-token-url must be a http:\/\/ or https:\/\/ URL\.$/,
    );
  });

  it("reads the embedded database's DATA_DIR/butler.toml when there is one; --config wins, a URL skips it", () => {
    const dir = mkdtempSync(join(tmpdir(), 'contacts-options-'));
    try {
      const local = { ...io(), cwd: dir };
      const withConfig = join(dir, 'emulator');
      mkdirSync(withConfig);
      writeFileSync(join(withConfig, 'butler.toml'), '[modules.contacts]\nprovider = "google"\n');
      mkdirSync(join(dir, 'plain'));
      expect(resolveGlobals({ dataDir: 'emulator' }, local)).toMatchObject({
        configPath: join(withConfig, 'butler.toml'),
        configLabel: "the data directory's config file",
      });
      expect(resolveGlobals({ dataDir: 'plain' }, local)).toMatchObject({ configPath: null });
      expect(resolveGlobals({ dataDir: 'missing' }, local)).toMatchObject({ configPath: null });
      expect(resolveGlobals({ dataDir: 'emulator', config: 'mine.toml' }, local)).toMatchObject({
        configPath: join(dir, 'mine.toml'),
        configLabel: 'the --config file',
      });
      expect(
        resolveGlobals({ dataDir: 'emulator', databaseUrl: 'postgres://db.example/crm' }, local),
      ).toMatchObject({ configPath: null });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
