import { randomBytes } from 'node:crypto';
import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { SecretsKey } from './secrets-key.js';
import { openSecret, readStoredSecret, sealSecret } from './stored-secret.js';

// Issue 11, defect 10: the stored form of an encrypted secret, and the key it is sealed with.

const KEY_BYTES = Buffer.from('0f1e2d3c4b5a69788796a5b4c3d2e1f000112233445566778899aabbccddeeff', 'hex');
const VALUE = '1//0eRefr3sh/T0ken+K7c9=d2e4_f6a8-Lq';

describe('the stored form of a secret', () => {
  const key = SecretsKey.fromBytes(KEY_BYTES);

  it('is enc:v1:<key id>:<iv>:<tag>:<ciphertext>, never the value, and opens to it', () => {
    const stored = sealSecret(key, 'GOOGLE_REFRESH_TOKEN', VALUE);
    expect(stored).toMatch(/^enc:v1:[0-9a-f]{16}:[A-Za-z0-9_-]{16}:[A-Za-z0-9_-]{22}:[A-Za-z0-9_-]+$/);
    expect(stored.split(':')[2]).toBe(key.id);
    expect(stored).not.toContain(VALUE);
    expect(stored).not.toContain(Buffer.from(VALUE).toString('base64url').slice(0, 16));
    const read = readStoredSecret(stored);
    expect(read).toMatchObject({ kind: 'sealed', keyId: key.id });
    if (read.kind !== 'sealed') throw new Error('unreachable');
    expect(read.sealed.ciphertext.length).toBe(Buffer.byteLength(VALUE));
    expect(openSecret(key, 'GOOGLE_REFRESH_TOKEN', read.sealed)).toBe(VALUE);
    // A fresh IV every time: the same value never seals to the same text.
    expect(sealSecret(key, 'GOOGLE_REFRESH_TOKEN', VALUE)).not.toBe(stored);
  });

  it('binds the row: a value copied onto another secret key does not open', () => {
    const read = readStoredSecret(sealSecret(key, 'GOOGLE_OAUTH_CLIENT_SECRET', VALUE));
    if (read.kind !== 'sealed') throw new Error('unreachable');
    expect(openSecret(key, 'GOOGLE_REFRESH_TOKEN', read.sealed)).toBeNull();
    expect(openSecret(key, 'GOOGLE_OAUTH_CLIENT_SECRET', read.sealed)).toBe(VALUE);
  });

  it('refuses another key and any altered byte', () => {
    const stored = sealSecret(key, 'K', VALUE);
    const read = readStoredSecret(stored);
    if (read.kind !== 'sealed') throw new Error('unreachable');
    expect(openSecret(SecretsKey.fromBytes(randomBytes(32)), 'K', read.sealed)).toBeNull();
    for (const part of ['iv', 'tag', 'ciphertext'] as const) {
      const altered = { ...read.sealed, [part]: Buffer.from(read.sealed[part]) };
      altered[part][0] = (altered[part][0] ?? 0) ^ 1;
      expect(openSecret(key, 'K', altered)).toBeNull();
    }
  });

  it('reads anything but the exact sealed shape as plain text (rows written before encryption)', () => {
    for (const plain of [VALUE, 'enc:v1:', 'enc:v1:abc', 'v1:0123456789abcdef:x:y:z', '']) {
      expect(readStoredSecret(plain)).toEqual({ kind: 'plain', value: plain });
    }
  });
});

describe('SecretsKey', () => {
  it('reads 32 bytes as hex, base64 or base64url, with a key file newline', () => {
    const ids = [
      KEY_BYTES.toString('hex'),
      KEY_BYTES.toString('hex').toUpperCase(),
      `${KEY_BYTES.toString('base64')}\n`,
      KEY_BYTES.toString('base64url'),
    ].map((text) => SecretsKey.parse(text).id);
    expect(new Set(ids).size).toBe(1);
    expect(ids[0]).toMatch(/^[0-9a-f]{16}$/);
    expect(SecretsKey.fromBytes(randomBytes(32)).id).not.toBe(ids[0]);
  });

  it('refuses anything else with a sentence naming the source, never the text', () => {
    const typo = `${KEY_BYTES.toString('base64').slice(0, 40)}Zk`; // 42 characters: one short
    for (const text of [typo, 'hunter2-hunter2-hunter2', KEY_BYTES.toString('hex').slice(2), '']) {
      const error = (() => {
        try {
          SecretsKey.parse(text, '$CONTACTS_SECRETS_KEY');
        } catch (e) {
          return e as Error & { code?: string };
        }
      })();
      expect(error).toMatchObject({
        code: 'INVALID_SECRETS_KEY',
        message: expect.stringMatching(
          /^\$CONTACTS_SECRETS_KEY is not a secrets key: .*openssl rand -base64 32/,
        ),
      });
      if (text) expect(error?.message).not.toContain(text.slice(0, 8));
    }
    expect(() => SecretsKey.parse('0'.repeat(64))).toThrow(/placeholder, not a key/);
    expect(() => SecretsKey.fromBytes(randomBytes(16))).toThrow(/must be 32 bytes; got 16/);
  });

  it('shows only its id: JSON, String and util.inspect', () => {
    const key = SecretsKey.fromBytes(KEY_BYTES);
    const shown = [JSON.stringify({ key }), String(key), inspect(key), inspect({ key }, { depth: 5 })].join(
      ' ',
    );
    expect(shown).toContain(key.id);
    for (const form of ['hex', 'base64', 'base64url'] as const) {
      expect(shown).not.toContain(KEY_BYTES.toString(form).slice(0, 12));
    }
  });
});
