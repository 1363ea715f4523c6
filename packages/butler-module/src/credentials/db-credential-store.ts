import { type Clock, errorMessage, systemClock } from '@contacts/core';
import {
  type ButlerTables,
  butlerTables,
  type ContactsDatabase,
  DEFAULT_BUTLER_SCHEMA,
} from '@contacts/schema';
import { asc, eq } from 'drizzle-orm';
import { ContactsModuleError } from '../errors.js';
import type { CredentialStore, SecretInfo, SetSecretOptions } from './credential-store.js';

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
}

const KEY = /^[A-Za-z_][A-Za-z0-9_.-]{0,199}$/;

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
      'A secret key is 1 to 200 letters, digits, `_`, `.` or `-`, starting with a letter or `_` (e.g. GOOGLE_REFRESH_TOKEN).',
    );
  }
  if (value !== undefined && value.length === 0) {
    throw new ContactsModuleError(
      'INVALID_SECRET',
      `The value for ${key} is empty; give the secret's value.`,
    );
  }
}

/**
 * The credential store on the butler's `butler_secrets` table: what the dashboard OAuth flow and
 * `contacts secrets set` write and the module reads. Values leave only through {@link get};
 * {@link list} never returns them. A secret past its `expires_at` counts as missing.
 *
 * @example
 * ```ts
 * const store = new DbCredentialStore({ db, butlerSchema: 'relationship' });
 * await store.set('GOOGLE_REFRESH_TOKEN', token, { category: 'google' });
 * await store.get('GOOGLE_REFRESH_TOKEN'); // the token
 * await store.list(); // [{ key: 'GOOGLE_REFRESH_TOKEN', category: 'google', isSensitive: true, ... }]
 * ```
 */
export class DbCredentialStore implements CredentialStore {
  readonly #db: ContactsDatabase;
  readonly #clock: Clock;
  readonly #table: ButlerTables['butlerSecrets'];

  constructor(options: DbCredentialStoreOptions) {
    this.#db = options.db;
    this.#clock = options.clock ?? systemClock;
    this.#table = butlerTables(options.butlerSchema ?? DEFAULT_BUTLER_SCHEMA).butlerSecrets;
  }

  /** The value of `key`, or null when it is absent or expired. */
  async get(key: string): Promise<string | null> {
    const t = this.#table;
    const [row] = await this.#db
      .select({ value: t.secretValue, expiresAt: t.expiresAt })
      .from(t)
      .where(eq(t.secretKey, key));
    if (!row || this.#expired(row.expiresAt)) return null;
    return row.value;
  }

  /**
   * Creates or replaces a secret. Options not given keep their stored value on replace.
   *
   * @throws ContactsModuleError `INVALID_SECRET` for a malformed key or an empty value (neither
   *   echoed); `CREDENTIAL_STORE_FAILED` when the database fails (without the driver error as
   *   `cause`: drizzle's and postgres.js's errors carry the statement's parameters, the secret).
   */
  async set(key: string, value: string, options: SetSecretOptions = {}): Promise<void> {
    checkSecret(key, value);
    const t = this.#table;
    const now = this.#clock.now();
    const changes = {
      secretValue: value,
      updatedAt: now,
      ...(options.category !== undefined && { category: options.category }),
      ...(options.description !== undefined && { description: options.description }),
      ...(options.isSensitive !== undefined && { isSensitive: options.isSensitive }),
      ...(options.expiresAt !== undefined && { expiresAt: options.expiresAt }),
    };
    try {
      await this.#db
        .insert(t)
        .values({ secretKey: key, createdAt: now, ...changes })
        .onConflictDoUpdate({ target: t.secretKey, set: changes });
    } catch (error) {
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
      })
      .from(t)
      .orderBy(asc(t.secretKey));
    return rows
      .map((row) => ({ ...row, expired: this.#expired(row.expiresAt) }))
      .filter((row) => options.includeExpired || !row.expired);
  }

  /** Removes a secret; true when there was one. */
  async delete(key: string): Promise<boolean> {
    const t = this.#table;
    const removed = await this.#db.delete(t).where(eq(t.secretKey, key)).returning({ key: t.secretKey });
    return removed.length > 0;
  }

  #expired(expiresAt: Date | null): boolean {
    return expiresAt !== null && expiresAt.getTime() <= this.#clock.now().getTime();
  }
}
