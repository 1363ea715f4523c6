import { randomBytes } from 'node:crypto';
import { butlerTables } from '@contacts/schema';
import { describeDatabase } from '@contacts/schema/testing';
import { afterEach, expect, it } from 'vitest';
import { DbCredentialStore } from '../credentials/db-credential-store.js';
import { SecretsKey } from '../credentials/secrets-key.js';
import { ContactsModuleError } from '../errors.js';
import {
  FAKE_CREDENTIALS,
  resultText,
  seedCredentials,
  startModuleHarness,
} from '../test-support/module-harness.js';

// Issue 11, defect 10: the module refuses to start when butler_secrets holds encrypted secrets
// and its credential store has no key, or the wrong one, with a sentence saying what to do; with
// the key it starts and encrypts what an older version stored in plain text.

type Harness = Awaited<ReturnType<typeof startModuleHarness>>;

describeDatabase('ContactsModule and the secrets key', (t) => {
  const open: Harness[] = [];
  afterEach(async () => {
    await Promise.all(open.splice(0).map((h) => h.close()));
  });
  const keyText = () => randomBytes(32).toString('base64');
  const storeWith = (secretsKey: string | null) =>
    new DbCredentialStore({ db: t.db, butlerSchema: t.butlerSchema, secretsKey });
  /** A module whose credential store has `secretsKey` (the harness seeds nothing itself). */
  const harness = async (secretsKey: string | null, config: Record<string, unknown> = {}) => {
    const h = await startModuleHarness(t.db, t.butlerSchema, {
      seed: false,
      credentialStore: storeWith(secretsKey),
      config: { provider: 'google', ...config },
    });
    open.push(h);
    return h;
  };
  const startupError = async (h: Harness) => {
    const error = await h.start().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ContactsModuleError);
    expect(h.module.runtime).toBeNull();
    return error as ContactsModuleError;
  };
  const storedValues = async () =>
    (await t.db.select().from(butlerTables(t.butlerSchema).butlerSecrets)).map((r) => r.secretValue);

  it('refuses to start without the key when the secrets are encrypted, even with sync disabled', async () => {
    const key = keyText();
    await seedCredentials(storeWith(key));
    for (const config of [{}, { sync: { enabled: false } }]) {
      const h = await harness(null, config);
      const error = await startupError(h);
      expect(error.code).toBe('SECRETS_KEY_MISSING');
      expect(error.message).toMatch(
        /^The secrets in relationship\.butler_secrets are encrypted \(key id [0-9a-f]{16}\) and no secrets key was given\. Give the key they were encrypted with/,
      );
      expect(error.message).not.toContain(key.slice(0, 10));
      expect(h.logger.text()).not.toMatch(/client-secret-Zq81xWv3|refresh-token-K7c9/);
    }
  });

  it('refuses to start with a wrong key, naming both key ids and neither key', async () => {
    const right = keyText();
    const wrong = keyText();
    await seedCredentials(storeWith(right));
    const h = await harness(wrong);
    const error = await startupError(h);
    expect(error.code).toBe('SECRETS_KEY_WRONG');
    expect(error.message).toContain(`(key id ${SecretsKey.parse(wrong).id}) is not the one`);
    expect(error.message).toContain(`(key id ${SecretsKey.parse(right).id})`);
    expect(error.message).toMatch(/contacts secrets rotate-key/);
    for (const k of [right, wrong]) expect(error.message + h.logger.text()).not.toContain(k.slice(0, 10));
  });

  it('starts with the key, and encrypts secrets an older version stored in plain text', async () => {
    await seedCredentials(storeWith(null));
    expect(await storedValues()).toContain(FAKE_CREDENTIALS.GOOGLE_REFRESH_TOKEN);
    const key = keyText();
    const h = await harness(key);
    await h.start();
    expect(h.module.runtime?.status().state).toBe('idle');
    for (const value of await storedValues()) expect(value).toMatch(/^enc:v1:/);
    expect(h.logger.find('contacts_secrets_verified')[0]?.fields).toMatchObject({
      key_id: SecretsKey.parse(key).id,
      encrypted: 3,
      encrypted_now: 3,
      plain: 0,
    });
    await h.timers.runNext();
    expect(h.module.runtime?.status().lastResult?.completed).toBe(true);
  });

  it('without a key and with plain-text secrets, starts and warns', async () => {
    await seedCredentials(storeWith(null));
    const h = await harness(null);
    await h.start();
    expect(h.logger.find('contacts_secrets_plaintext')).toMatchObject([
      { level: 'warn', fields: { plain: 3, message: expect.stringMatching(/give it a secrets key/) } },
    ]);
  });

  it('a key rotated under a running module parks it in auth_error with the sentence, not a retry loop', async () => {
    const old = keyText();
    await seedCredentials(storeWith(old));
    const h = await harness(old);
    await h.start();
    await h.timers.runNext();
    await storeWith(old).rotateKey(SecretsKey.parse(keyText()));
    h.clock.advance(1000);
    const refused = await h.call('contacts_sync_now');
    expect(refused.isError).toBe(true);
    expect(resultText(refused)).toMatch(/is not the one the secrets in .* were encrypted with/);
    expect((await h.call('contacts_source_list')).structuredContent).toMatchObject({
      sources: [{ status: 'auth_error', last_error: expect.stringMatching(/is not the one the secrets in/) }],
    });
    expect(h.module.runtime?.status().state).toBe('auth_error');
  });
});
