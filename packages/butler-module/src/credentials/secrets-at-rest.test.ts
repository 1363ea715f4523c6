import { randomBytes } from 'node:crypto';
import { butlerTables } from '@contacts/schema';
import { describeDatabase } from '@contacts/schema/testing';
import { asc, eq, sql } from 'drizzle-orm';
import { expect, it } from 'vitest';
import { ManualClock } from '../test-support/manual-timers.js';
import { DbCredentialStore } from './db-credential-store.js';
import { SecretsKey } from './secrets-key.js';
import { sealSecret } from './stored-secret.js';

// Issue 11, defect 10: butler_secrets held the client secret and the refresh token in plain
// text, readable by any role granted SELECT on the schema and carried by pg_dump. Values are now
// encrypted with the host's key; rows written before are encrypted once a key is given; a
// missing or wrong key is refused with a sentence; the key rotates in one transaction.

const REFRESH_TOKEN = '1//0eRefr3sh/T0ken+K7c9=d2e4_f6a8-Lq';
const CLIENT_SECRET = 'GOCSPX-cl1ent/Secr3t+Zq81=xWv3~k9';

/** A key as a host holds it: 32 random bytes in base64. */
const newKeyText = () => randomBytes(32).toString('base64');

describeDatabase('secrets at rest', (t) => {
  const table = () => butlerTables(t.butlerSchema).butlerSecrets;
  const name = () => `${t.butlerSchema}.butler_secrets`;
  const store = (secretsKey?: SecretsKey | string | null) =>
    new DbCredentialStore({ db: t.db, butlerSchema: t.butlerSchema, clock: new ManualClock(), secretsKey });
  /** What a reader of the table (a reporting role, pg_dump) sees. */
  const atRest = async () => {
    const s = table();
    const rows = await t.db
      .select({ key: s.secretKey, value: s.secretValue, updatedAt: s.updatedAt })
      .from(s)
      .orderBy(asc(s.secretKey));
    return Object.fromEntries(rows.map((r) => [r.key, r.value]));
  };
  const refusal = async (promise: Promise<unknown>) => {
    const error = await promise.then(
      () => null,
      (e: unknown) => e as Error & { code?: string },
    );
    expect(error).toBeInstanceOf(Error);
    return error!;
  };

  it('stores values encrypted, never as the plain text, and reads them back', async () => {
    const keyText = newKeyText();
    const key = SecretsKey.parse(keyText);
    const s = store(keyText);
    await s.set('GOOGLE_REFRESH_TOKEN', REFRESH_TOKEN, { category: 'google' });
    await s.set('GOOGLE_OAUTH_CLIENT_SECRET', CLIENT_SECRET);
    const rows = await atRest();
    for (const value of Object.values(rows)) {
      expect(value).toMatch(new RegExp(`^enc:v1:${key.id}:`));
      expect(value).not.toContain(REFRESH_TOKEN.slice(4, 20));
      expect(value).not.toContain(CLIENT_SECRET.slice(7, 23));
    }
    expect(await s.get('GOOGLE_REFRESH_TOKEN')).toBe(REFRESH_TOKEN);
    expect(await store(key).get('GOOGLE_OAUTH_CLIENT_SECRET')).toBe(CLIENT_SECRET);
    expect(await s.list()).toMatchObject([
      { key: 'GOOGLE_OAUTH_CLIENT_SECRET', encrypted: true, keyId: key.id },
      { key: 'GOOGLE_REFRESH_TOKEN', encrypted: true, keyId: key.id },
    ]);
    expect(JSON.stringify(await s.list())).not.toMatch(/enc:v1|GOCSPX|1\/\//);
  });

  it('reads rows written in plain text before, and encrypts them at the first read or verify()', async () => {
    await store().set('GOOGLE_REFRESH_TOKEN', REFRESH_TOKEN);
    await store().set('GOOGLE_OAUTH_CLIENT_SECRET', CLIENT_SECRET);
    await store().set('OTHER', 'other-plain-value');
    const before = await t.db.select().from(table()).where(eq(table().secretKey, 'OTHER'));
    expect(await atRest()).toMatchObject({ GOOGLE_REFRESH_TOKEN: REFRESH_TOKEN });
    const key = SecretsKey.parse(newKeyText());
    // Without a key, plain rows stay readable as they are.
    expect(await store().get('GOOGLE_REFRESH_TOKEN')).toBe(REFRESH_TOKEN);
    expect(await store().verify()).toEqual({ keyId: null, encrypted: 0, plain: 3, encryptedNow: 0 });
    // The first read with a key returns the value and encrypts every plain row.
    expect(await store(key).get('GOOGLE_REFRESH_TOKEN')).toBe(REFRESH_TOKEN);
    for (const value of Object.values(await atRest())) expect(value).toMatch(/^enc:v1:/);
    expect(await store(key).verify()).toEqual({ keyId: key.id, encrypted: 3, plain: 0, encryptedNow: 0 });
    // Re-encrypting changes how a value is kept, not when it was set.
    const [after] = await t.db.select().from(table()).where(eq(table().secretKey, 'OTHER'));
    expect(after!.updatedAt).toEqual(before[0]!.updatedAt);
    expect(await store(key).get('OTHER')).toBe('other-plain-value');

    await t.database.reset();
    await store().set('A', 'plain-a-value');
    await store().set('B', 'plain-b-value');
    expect(await store(key).verify()).toEqual({ keyId: key.id, encrypted: 2, plain: 0, encryptedNow: 2 });
    expect(await store(key).verify()).toMatchObject({ encryptedNow: 0 });
    expect(Object.values(await atRest()).join()).not.toMatch(/plain-/);
  });

  it('refuses encrypted secrets without a key, with a sentence saying what to do', async () => {
    const key = SecretsKey.parse(newKeyText());
    await store(key).set('GOOGLE_REFRESH_TOKEN', REFRESH_TOKEN);
    for (const attempt of [
      () => store().verify(),
      () => store().get('GOOGLE_REFRESH_TOKEN'),
      () => store().set('NEW', 'plain-value'),
    ]) {
      const error = await refusal(attempt());
      expect(error).toMatchObject({ code: 'SECRETS_KEY_MISSING' });
      expect(error.message).toBe(
        `The secrets in ${name()} are encrypted (key id ${key.id}) and no secrets key was given. Give the key they were encrypted with ` +
          '(a host passes it to DbCredentialStore as `secretsKey`; the `contacts` command reads $CONTACTS_SECRETS_KEY, $CONTACTS_SECRETS_KEY_FILE or --secrets-key-file).',
      );
    }
    // No plain value was written next to the encrypted one.
    expect(Object.keys(await atRest())).toEqual(['GOOGLE_REFRESH_TOKEN']);
  });

  it('refuses a wrong key, naming both key ids and never a key or a value', async () => {
    const rightText = newKeyText();
    const wrongText = newKeyText();
    const right = SecretsKey.parse(rightText);
    const wrong = SecretsKey.parse(wrongText);
    await store(right).set('GOOGLE_REFRESH_TOKEN', REFRESH_TOKEN);
    for (const attempt of [
      () => store(wrong).verify(),
      () => store(wrong).get('GOOGLE_REFRESH_TOKEN'),
      () => store(wrong).set('GOOGLE_OAUTH_CLIENT_SECRET', CLIENT_SECRET),
    ]) {
      const error = await refusal(attempt());
      expect(error).toMatchObject({
        code: 'SECRETS_KEY_WRONG',
        message: `The secrets key given (key id ${wrong.id}) is not the one the secrets in ${name()} were encrypted with (key id ${right.id}). Give that key (a host passes it to DbCredentialStore as \`secretsKey\`; the \`contacts\` command reads $CONTACTS_SECRETS_KEY, $CONTACTS_SECRETS_KEY_FILE or --secrets-key-file); to move to a new key, run \`contacts secrets rotate-key\` with both.`,
      });
      for (const text of [rightText, wrongText, REFRESH_TOKEN, CLIENT_SECRET])
        expect(JSON.stringify({ m: error.message, s: error.stack })).not.toContain(text.slice(0, 12));
    }
    expect(Object.keys(await atRest())).toEqual(['GOOGLE_REFRESH_TOKEN']);
  });

  it('refuses a value swapped in from another row (the secret key is authenticated)', async () => {
    const key = SecretsKey.parse(newKeyText());
    await store(key).set('GOOGLE_REFRESH_TOKEN', REFRESH_TOKEN);
    await store(key).set('GOOGLE_OAUTH_CLIENT_SECRET', CLIENT_SECRET);
    const rows = await atRest();
    await t.db
      .update(table())
      .set({ secretValue: rows.GOOGLE_REFRESH_TOKEN! })
      .where(eq(table().secretKey, 'GOOGLE_OAUTH_CLIENT_SECRET'));
    for (const attempt of [() => store(key).get('GOOGLE_OAUTH_CLIENT_SECRET'), () => store(key).verify()]) {
      expect(await refusal(attempt())).toMatchObject({
        code: 'SECRETS_KEY_WRONG',
        message: expect.stringMatching(
          /^The secret GOOGLE_OAUTH_CLIENT_SECRET in .* altered or copied from another secret\./,
        ),
      });
    }
  });

  it('rotates every secret to a new key in one transaction; running it again changes nothing', async () => {
    const old = SecretsKey.parse(newKeyText());
    const next = SecretsKey.parse(newKeyText());
    await store(old).set('GOOGLE_REFRESH_TOKEN', REFRESH_TOKEN);
    await store(old).set('GOOGLE_OAUTH_CLIENT_SECRET', CLIENT_SECRET);
    await t.db.insert(table()).values({ secretKey: 'LEGACY', secretValue: 'legacy-plain-value' });
    expect(await store(old).rotateKey(next)).toEqual({
      keyId: next.id,
      rotated: 2,
      encrypted: 1,
      unchanged: 0,
    });
    for (const value of Object.values(await atRest()))
      expect(value).toMatch(new RegExp(`^enc:v1:${next.id}:`));
    expect(await store(next).get('GOOGLE_REFRESH_TOKEN')).toBe(REFRESH_TOKEN);
    expect(await store(next).get('LEGACY')).toBe('legacy-plain-value');
    expect(await refusal(store(old).get('GOOGLE_REFRESH_TOKEN'))).toMatchObject({
      code: 'SECRETS_KEY_WRONG',
    });
    // Idempotent: a second run (a retry after a lost answer) finds everything done.
    const rows = await atRest();
    expect(await store(old).rotateKey(next)).toEqual({
      keyId: next.id,
      rotated: 0,
      encrypted: 0,
      unchanged: 3,
    });
    expect(await atRest()).toEqual(rows);
    // Plain rows only: no current key is needed to encrypt them for the first time.
    await t.database.reset();
    await store().set('A', 'plain-a-value');
    expect(await store().rotateKey(next)).toEqual({ keyId: next.id, rotated: 0, encrypted: 1, unchanged: 0 });
  });

  it('rotation interrupted mid-way rolls back whole, and a second run finishes it', async () => {
    const old = SecretsKey.parse(newKeyText());
    const next = SecretsKey.parse(newKeyText());
    for (const k of ['A_KEY', 'B_KEY', 'C_KEY']) await store(old).set(k, `value-of-${k}-123`);
    const before = await atRest();
    const schema = sql.identifier(t.butlerSchema);
    // A real failure inside the transaction, after the first row was rewritten (no mock).
    await t.db.execute(sql`create function ${schema}.fail_b_key() returns trigger language plpgsql as $$
      begin if new.secret_key = 'B_KEY' then raise exception 'injected failure mid-rotation'; end if; return new; end $$`);
    await t.db.execute(
      sql`create trigger fail_b_key before update on ${schema}.butler_secrets for each row execute function ${schema}.fail_b_key()`,
    );
    try {
      await refusal(store(old).rotateKey(next));
      expect(await atRest()).toEqual(before);
      expect(await store(old).get('A_KEY')).toBe('value-of-A_KEY-123');
    } finally {
      await t.db.execute(sql`drop trigger fail_b_key on ${schema}.butler_secrets`);
      await t.db.execute(sql`drop function ${schema}.fail_b_key()`);
    }
    expect(await store(old).rotateKey(next)).toEqual({
      keyId: next.id,
      rotated: 3,
      encrypted: 0,
      unchanged: 0,
    });
    expect(await store(next).get('C_KEY')).toBe('value-of-C_KEY-123');
  });

  it('rotation refuses a secret under a key it was not given, and changes nothing', async () => {
    const old = SecretsKey.parse(newKeyText());
    const next = SecretsKey.parse(newKeyText());
    const stranger = SecretsKey.parse(newKeyText());
    await store(old).set('A_KEY', 'value-a-123456');
    // Written under a third key behind the store's back (the store itself refuses mixed keys).
    await t.db
      .insert(table())
      .values({ secretKey: 'Z_KEY', secretValue: sealSecret(stranger, 'Z_KEY', 'value-z-123456') });
    const before = await atRest();
    expect(await refusal(store(old).rotateKey(next))).toMatchObject({
      code: 'SECRETS_KEY_WRONG',
      message: expect.stringContaining(`key id ${stranger.id}`),
    });
    expect(await refusal(store().rotateKey(next))).toMatchObject({ code: 'SECRETS_KEY_MISSING' });
    expect(await atRest()).toEqual(before);
  });
});
