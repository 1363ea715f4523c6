import { butlerTables } from '@contacts/schema';
import { describeDatabase } from '@contacts/schema/testing';
import { expect, it } from 'vitest';
import { ManualClock } from '../test-support/manual-timers.js';
import { DbCredentialStore } from './db-credential-store.js';
import { resolveGoogleCredentials } from './google-credentials.js';

describeDatabase('DbCredentialStore', (t) => {
  const setup = () => {
    const clock = new ManualClock();
    return { clock, store: new DbCredentialStore({ db: t.db, butlerSchema: t.butlerSchema, clock }) };
  };

  it('stores, replaces, reads and deletes secrets in butler_secrets', async () => {
    const { store, clock } = setup();
    expect(await store.get('GOOGLE_REFRESH_TOKEN')).toBeNull();
    await store.set('GOOGLE_REFRESH_TOKEN', 'first-value', {
      category: 'google',
      description: 'OAuth refresh token',
    });
    clock.advance(1000);
    await store.set('GOOGLE_REFRESH_TOKEN', 'second-value');
    expect(await store.get('GOOGLE_REFRESH_TOKEN')).toBe('second-value');
    const [row] = await t.db.select().from(butlerTables(t.butlerSchema).butlerSecrets);
    // Options not given on replace keep their stored value.
    expect(row).toMatchObject({ category: 'google', description: 'OAuth refresh token', isSensitive: true });
    expect(row!.updatedAt.getTime() - row!.createdAt.getTime()).toBe(1000);
    expect(await store.delete('GOOGLE_REFRESH_TOKEN')).toBe(true);
    expect(await store.delete('GOOGLE_REFRESH_TOKEN')).toBe(false);
    expect(await store.get('GOOGLE_REFRESH_TOKEN')).toBeNull();
  });

  it('lists secrets without their values, expired ones only on request', async () => {
    const { store, clock } = setup();
    await store.set('B_KEY', 'value-b-123456', { isSensitive: false });
    await store.set('A_KEY', 'value-a-123456', {
      category: 'google',
      expiresAt: new Date(clock.now().getTime() + 60_000),
    });
    const listed = await store.list();
    expect(listed.map((s) => s.key)).toEqual(['A_KEY', 'B_KEY']);
    expect(listed[0]).toEqual({
      key: 'A_KEY',
      category: 'google',
      description: null,
      isSensitive: true,
      createdAt: clock.now(),
      updatedAt: clock.now(),
      expiresAt: new Date(clock.now().getTime() + 60_000),
      expired: false,
      encrypted: false,
      keyId: null,
    });
    expect(JSON.stringify(listed)).not.toMatch(/value-/);
    clock.advance(60_000);
    expect(await store.get('A_KEY')).toBeNull();
    expect((await store.list()).map((s) => s.key)).toEqual(['B_KEY']);
    expect((await store.list({ includeExpired: true }))[0]).toMatchObject({ key: 'A_KEY', expired: true });
  });

  it('refuses malformed keys and empty values without echoing them', async () => {
    const { store } = setup();
    await expect(store.set('bad key with spaces', 'x')).rejects.toMatchObject({ code: 'INVALID_SECRET' });
    const error = await store.set('GOOD_KEY', '').catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'INVALID_SECRET', message: /GOOD_KEY is empty/ });
  });

  it('feeds resolveGoogleCredentials, trimming values and treating blank ones as missing', async () => {
    const { store } = setup();
    await store.set('GOOGLE_OAUTH_CLIENT_ID', ' id-123 ');
    await store.set('GOOGLE_OAUTH_CLIENT_SECRET', '   ');
    await store.set('GOOGLE_REFRESH_TOKEN', 'refresh-123');
    await expect(resolveGoogleCredentials(store)).rejects.toMatchObject({
      code: 'MISSING_CREDENTIALS',
      message: /: GOOGLE_OAUTH_CLIENT_SECRET\./,
    });
    await store.set('GOOGLE_OAUTH_CLIENT_SECRET', 'secret-123');
    expect(await resolveGoogleCredentials(store)).toEqual({
      clientId: 'id-123',
      clientSecret: 'secret-123',
      refreshToken: 'refresh-123',
    });
  });
});

describeDatabase('DbCredentialStore failures', (t) => {
  it('never lets a failed write carry the secret in its message or cause', async () => {
    const store = new DbCredentialStore({ db: t.db, butlerSchema: 'no_such_schema' });
    const error = await store.set('GOOGLE_REFRESH_TOKEN', '1//secret-refresh-value').catch((e: unknown) => e);
    expect(error).toMatchObject({
      code: 'CREDENTIAL_STORE_FAILED',
      message: /^Could not store the secret GOOGLE_REFRESH_TOKEN: Database query failed: /,
    });
    expect((error as Error).cause).toBeUndefined();
    expect(String((error as Error).message)).not.toContain('secret-refresh-value');
  });
});
