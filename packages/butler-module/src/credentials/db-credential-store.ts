import { type Clock, errorMessage, systemClock } from '@contacts/core';
import {
  type ButlerTables,
  butlerTables,
  type ContactsDatabase,
  DEFAULT_BUTLER_SCHEMA,
} from '@contacts/schema';
import { and, asc, eq, like, notLike } from 'drizzle-orm';
import { ContactsModuleError } from '../errors.js';
import type {
  CredentialStore,
  SecretInfo,
  SecretsAtRest,
  SecretsKeyRotation,
  SetSecretOptions,
} from './credential-store.js';
import {
  checkSecretsAtRest,
  openStored,
  rotateSecretsAtRest,
  type SecretsTable,
  withSecretsLocked,
} from './secrets-at-rest.js';
import { SecretsKey } from './secrets-key.js';
import { secretsKeyMissing, secretsKeyWrong } from './secrets-key-errors.js';
import { readStoredSecret, SEALED_PREFIX, sealSecret } from './stored-secret.js';

/**
 * Options of {@link DbCredentialStore}.
 *
 * @example
 * ```ts
 * const options: DbCredentialStoreOptions = { db, butlerSchema: 'relationship' };
 * ```
 */
export interface DbCredentialStoreOptions {
  db: ContactsDatabase;
  /** The butler schema holding `butler_secrets` (default `relationship`). */
  butlerSchema?: string;
  /** Decides what has expired (default the wall clock). */
  clock?: Clock;
  /**
   * The key the values are encrypted with at rest (AES-256-GCM): a {@link SecretsKey}, or its 32
   * bytes as 64 hex digits or 44 base64 characters. Without one, values are written in plain
   * text, and encrypted values cannot be read (`SECRETS_KEY_MISSING`).
   */
  secretsKey?: SecretsKey | string | Uint8Array | null;
}

// `@` joins a key to the account it belongs to (`GOOGLE_REFRESH_TOKEN@work`, core's credentialKey).
const KEY = /^[A-Za-z_][A-Za-z0-9_.@-]{0,199}$/;

/**
 * Checks a secret's key (and its value, when given) as {@link DbCredentialStore.set} does,
 * without a database: the command line refuses a bad one before it opens (or creates) any.
 *
 * @throws ContactsModuleError `INVALID_SECRET` (the key is not echoed: it may be a value typed in
 *   the wrong place).
 * @example
 * ```ts
 * checkSecret('GOOGLE_REFRESH_TOKEN', token);
 * ```
 */
export function checkSecret(key: string, value?: string): void {
  if (!KEY.test(key)) {
    throw new ContactsModuleError(
      'INVALID_SECRET',
      'A secret key is 1 to 200 letters, digits, `_`, `.`, `-` or `@`, starting with a letter or `_` (as `contacts secrets list` names them: KEY for the default account, KEY@work for account "work").',
    );
  }
  if (value !== undefined && value.length === 0) {
    throw new ContactsModuleError(
      'INVALID_SECRET',
      `The value for ${key} is empty; give the secret's value.`,
    );
  }
}

function toSecretsKey(key: DbCredentialStoreOptions['secretsKey']): SecretsKey | null {
  const source = "DbCredentialStore's secretsKey";
  if (key === undefined || key === null) return null;
  if (key instanceof SecretsKey) return key;
  return typeof key === 'string' ? SecretsKey.parse(key, source) : SecretsKey.fromBytes(key, source);
}

/**
 * The credential store on the butler's `butler_secrets` table: what the dashboard OAuth flow and
 * `contacts secrets set` write and the module reads. Values leave only through {@link get};
 * {@link list} never returns them. A secret past its `expires_at` counts as missing.
 *
 * Given a `secretsKey`, values are encrypted at rest (AES-256-GCM, the row's key authenticated
 * with the value: see `stored-secret.ts`). Values written in plain text before stay readable and
 * are encrypted by {@link verify} (the module runs it at startup, the `contacts` command whenever
 * it has a key) or at their first {@link get}. Without a key, encrypted values are refused with a
 * sentence saying what to do, and so is writing a plain value next to them.
 *
 * @example
 * ```ts
 * const store = new DbCredentialStore({ db, butlerSchema: 'relationship', secretsKey: process.env.CONTACTS_SECRETS_KEY });
 * await store.verify(); // refuses a wrong key; encrypts what was stored in plain text
 * await store.set('GOOGLE_REFRESH_TOKEN', token, { category: 'google' });
 * await store.get('GOOGLE_REFRESH_TOKEN'); // the token
 * await store.list(); // [{ key: 'GOOGLE_REFRESH_TOKEN', category: 'google', encrypted: true, keyId: '3f9a…', ... }]
 * ```
 */
export class DbCredentialStore implements CredentialStore {
  readonly #db: ContactsDatabase;
  readonly #clock: Clock;
  readonly #table: ButlerTables['butlerSecrets'];
  readonly #name: string;
  readonly #key: SecretsKey | null;

  /** @throws ContactsModuleError `INVALID_SECRETS_KEY` for a `secretsKey` that is not 32 bytes. */
  constructor(options: DbCredentialStoreOptions) {
    const schema = options.butlerSchema ?? DEFAULT_BUTLER_SCHEMA;
    this.#db = options.db;
    this.#clock = options.clock ?? systemClock;
    this.#table = butlerTables(schema).butlerSecrets;
    this.#name = `${schema}.butler_secrets`;
    this.#key = toSecretsKey(options.secretsKey);
  }

  /** The id of the store's key (a fingerprint, safe to show), or null without one. */
  get keyId(): string | null {
    return this.#key?.id ?? null;
  }

  /**
   * The value of `key`, or null when it is absent or expired. A value still in plain text is
   * encrypted now when the store has a key.
   *
   * @throws ContactsModuleError `SECRETS_KEY_MISSING` / `SECRETS_KEY_WRONG` for an encrypted value
   *   the store has no (or another) key for, or one altered or copied from another row.
   */
  async get(key: string): Promise<string | null> {
    const t = this.#table;
    const [row] = await this.#db
      .select({ value: t.secretValue, expiresAt: t.expiresAt })
      .from(t)
      .where(eq(t.secretKey, key));
    if (!row || this.#expired(row.expiresAt)) return null;
    const stored = readStoredSecret(row.value);
    const value = openStored(this.#name, key, stored, this.#key);
    if (stored.kind === 'plain' && this.#key) await this.verify();
    return value;
  }

  /**
   * Checks the store's key against every secret (each is decrypted), then, with a key, encrypts
   * the secrets still in plain text, in one transaction. Idempotent; the module runs it at startup.
   *
   * @throws ContactsModuleError `SECRETS_KEY_MISSING` when secrets are encrypted and the store has
   *   no key; `SECRETS_KEY_WRONG` when it has another, or a value was altered or copied from
   *   another row. The sentence names the key ids (fingerprints), never a key or a value.
   */
  verify(): Promise<SecretsAtRest> {
    return checkSecretsAtRest(this.#target(), this.#key);
  }

  /**
   * Moves every secret to `newKey` in one transaction (this store's key opens the current ones;
   * plain-text secrets are encrypted too). Interrupted, it rolls back whole; run again, it finishes
   * what is left. Afterwards only a store given `newKey` reads the secrets: restart every process
   * with it.
   *
   * @throws ContactsModuleError `SECRETS_KEY_MISSING` / `SECRETS_KEY_WRONG` when a secret is under
   *   a key that is neither this store's nor `newKey`; `CREDENTIAL_STORE_FAILED` when another
   *   process holds the table for over 10 s.
   */
  rotateKey(newKey: SecretsKey): Promise<SecretsKeyRotation> {
    return rotateSecretsAtRest(this.#target(), this.#key, newKey);
  }

  /**
   * Creates or replaces a secret, encrypted when the store has a key. Options not given keep
   * their stored value on replace.
   *
   * @throws ContactsModuleError `INVALID_SECRET` for a malformed key or an empty value (neither
   *   echoed); `SECRETS_KEY_MISSING` / `SECRETS_KEY_WRONG` when other secrets are encrypted under
   *   a key this store lacks (a value is never stored under a second key, nor in plain text next
   *   to encrypted ones); `CREDENTIAL_STORE_FAILED` when the database fails (without the driver
   *   error as `cause`: drizzle's and postgres.js's errors carry the statement's parameters).
   */
  async set(key: string, value: string, options: SetSecretOptions = {}): Promise<void> {
    checkSecret(key, value);
    const t = this.#table;
    const now = this.#clock.now();
    const changes = {
      secretValue: this.#key ? sealSecret(this.#key, key, value) : value,
      updatedAt: now,
      ...(options.category !== undefined && { category: options.category }),
      ...(options.description !== undefined && { description: options.description }),
      ...(options.isSensitive !== undefined && { isSensitive: options.isSensitive }),
      ...(options.expiresAt !== undefined && { expiresAt: options.expiresAt }),
    };
    try {
      // Under the table's lock: a rotation running meanwhile cannot leave this value under the old key.
      await withSecretsLocked(this.#target(), async (tx) => {
        await this.#refuseMixedKeys(tx);
        await tx
          .insert(t)
          .values({ secretKey: key, createdAt: now, ...changes })
          .onConflictDoUpdate({ target: t.secretKey, set: changes });
      });
    } catch (error) {
      if (error instanceof ContactsModuleError) throw error;
      const reason = errorMessage(error).split(value).join('[redacted]');
      throw new ContactsModuleError(
        'CREDENTIAL_STORE_FAILED',
        `Could not store the secret ${key}: ${reason}`,
      );
    }
  }

  /**
   * Every secret without its value, sorted by key. Expired secrets count as missing and are left
   * out unless `includeExpired` (then `expired: true` marks them, so a person sees what to renew).
   */
  async list(options: { includeExpired?: boolean } = {}): Promise<SecretInfo[]> {
    const t = this.#table;
    const rows = await this.#db
      .select({
        key: t.secretKey,
        category: t.category,
        description: t.description,
        isSensitive: t.isSensitive,
        createdAt: t.createdAt,
        updatedAt: t.updatedAt,
        expiresAt: t.expiresAt,
        value: t.secretValue,
      })
      .from(t)
      .orderBy(asc(t.secretKey));
    return rows
      .map(({ value, ...row }) => {
        const stored = readStoredSecret(value);
        const keyId = stored.kind === 'sealed' ? stored.keyId : null;
        return { ...row, expired: this.#expired(row.expiresAt), encrypted: keyId !== null, keyId };
      })
      .filter((row) => options.includeExpired || !row.expired);
  }

  /** Removes a secret; true when there was one. */
  async delete(key: string): Promise<boolean> {
    const t = this.#table;
    const removed = await this.#db.delete(t).where(eq(t.secretKey, key)).returning({ key: t.secretKey });
    return removed.length > 0;
  }

  #target(): SecretsTable {
    return { db: this.#db, table: this.#table, name: this.#name };
  }

  /** Refuses a write that would leave values under two keys, or plain text next to encrypted ones. */
  async #refuseMixedKeys(tx: ContactsDatabase): Promise<void> {
    const t = this.#table;
    const sealed = like(t.secretValue, `${SEALED_PREFIX}%`);
    const [other] = await tx
      .select({ value: t.secretValue })
      .from(t)
      .where(this.#key ? and(sealed, notLike(t.secretValue, `${SEALED_PREFIX}${this.#key.id}:%`)) : sealed)
      .limit(1);
    if (!other) return;
    const stored = readStoredSecret(other.value);
    if (stored.kind !== 'sealed') return;
    throw this.#key
      ? secretsKeyWrong(this.#name, this.#key.id, stored.keyId)
      : secretsKeyMissing(this.#name, stored.keyId);
  }

  #expired(expiresAt: Date | null): boolean {
    return expiresAt !== null && expiresAt.getTime() <= this.#clock.now().getTime();
  }
}
