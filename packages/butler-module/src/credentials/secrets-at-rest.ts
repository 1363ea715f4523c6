import type { ButlerTables, ContactsDatabase } from '@contacts/schema';
import { asc, eq, sql } from 'drizzle-orm';
import { ContactsModuleError } from '../errors.js';
import type { SecretsAtRest, SecretsKeyRotation } from './credential-store.js';
import type { SecretsKey } from './secrets-key.js';
import { secretAltered, secretsKeyMissing, secretsKeyWrong } from './secrets-key-errors.js';
import { openSecret, readStoredSecret, type StoredSecret, sealSecret } from './stored-secret.js';

// What DbCredentialStore does to the table as a whole: check the key against every row, encrypt
// rows still in plain text, move every row to a new key. Each change runs in one transaction
// holding a lock that keeps writers out (readers go on), so two processes starting at once, or a
// `secrets set` during a rotation, never leave rows under two keys.

/**
 * The secrets table of one butler schema, and its name for messages.
 *
 * @example
 * ```ts
 * const target: SecretsTable = { db, table: butlerTables('relationship').butlerSecrets, name: 'relationship.butler_secrets' };
 * ```
 */
export interface SecretsTable {
  db: ContactsDatabase;
  table: ButlerTables['butlerSecrets'];
  name: string;
}

/** How long a change waits for the table's lock before it gives up with a sentence. */
const LOCK_TIMEOUT = '10s';

/**
 * The value of a stored secret.
 *
 * @throws ContactsModuleError `SECRETS_KEY_MISSING` (sealed, no key), `SECRETS_KEY_WRONG` (sealed
 *   under another key, or altered / copied from another row).
 * @example
 * ```ts
 * const value = openStored(target.name, 'GOOGLE_REFRESH_TOKEN', readStoredSecret(row.secretValue), key);
 * ```
 */
export function openStored(
  name: string,
  secretKey: string,
  stored: StoredSecret,
  key: SecretsKey | null,
): string {
  if (stored.kind === 'plain') return stored.value;
  if (!key) throw secretsKeyMissing(name, stored.keyId);
  if (stored.keyId !== key.id) throw secretsKeyWrong(name, key.id, stored.keyId);
  const value = openSecret(key, secretKey, stored.sealed);
  if (value === null) throw secretAltered(name, secretKey, key.id);
  return value;
}

async function readAll(db: ContactsDatabase, target: SecretsTable) {
  const t = target.table;
  const rows = await db
    .select({ secretKey: t.secretKey, value: t.secretValue })
    .from(t)
    .orderBy(asc(t.secretKey));
  return rows.map((row) => ({ secretKey: row.secretKey, stored: readStoredSecret(row.value) }));
}

/**
 * Runs `fn` in a transaction that holds the table against other writers (readers go on), waiting
 * at most 10 s for it.
 *
 * @throws ContactsModuleError `CREDENTIAL_STORE_FAILED` when the lock is not had in time.
 * @example
 * ```ts
 * await withSecretsLocked(target, async (tx) => tx.update(target.table).set({ secretValue }).where(...));
 * ```
 */
export async function withSecretsLocked<T>(
  target: SecretsTable,
  fn: (tx: ContactsDatabase) => Promise<T>,
): Promise<T> {
  try {
    return await target.db.transaction(async (tx) => {
      await tx.execute(sql.raw(`set local lock_timeout = '${LOCK_TIMEOUT}'`));
      await tx.execute(sql`lock table ${target.table} in share row exclusive mode`);
      return fn(tx);
    });
  } catch (error) {
    if (pgCode(error) === '55P03') {
      throw new ContactsModuleError(
        'CREDENTIAL_STORE_FAILED',
        `${target.name} stayed locked by another process for ${LOCK_TIMEOUT} (a key rotation or a long transaction); try again.`,
      );
    }
    throw error;
  }
}

function pgCode(error: unknown): unknown {
  for (let e = error, depth = 0; e && typeof e === 'object' && depth < 5; depth += 1) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)) return code;
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}

/**
 * Checks `key` against every stored secret (decrypting each, so a wrong key or an altered value
 * is found now, not at the first sync), then, with a key, encrypts the secrets still in plain
 * text, in one transaction.
 *
 * @throws ContactsModuleError `SECRETS_KEY_MISSING`, `SECRETS_KEY_WRONG` (see {@link openStored}).
 * @example
 * ```ts
 * await checkSecretsAtRest(target, key); // { keyId: key.id, encrypted: 3, plain: 0, encryptedNow: 1 }
 * ```
 */
export async function checkSecretsAtRest(
  target: SecretsTable,
  key: SecretsKey | null,
): Promise<SecretsAtRest> {
  const rows = await readAll(target.db, target);
  for (const row of rows) openStored(target.name, row.secretKey, row.stored, key);
  const plain = rows.filter((row) => row.stored.kind === 'plain').length;
  if (!key || plain === 0)
    return { keyId: key?.id ?? null, encrypted: rows.length - plain, plain, encryptedNow: 0 };
  const encryptedNow = await withSecretsLocked(target, async (tx) => {
    // Read again under the lock: another process may have encrypted (or rewritten) them meanwhile.
    let count = 0;
    for (const row of await readAll(tx, target)) {
      const value = openStored(target.name, row.secretKey, row.stored, key);
      if (row.stored.kind !== 'plain') continue;
      await writeValue(tx, target, row.secretKey, sealSecret(key, row.secretKey, value));
      count += 1;
    }
    return count;
  });
  return { keyId: key.id, encrypted: rows.length, plain: 0, encryptedNow };
}

/**
 * Moves every secret to `to` in one transaction: those under `from` are re-encrypted, those in
 * plain text encrypted, those already under `to` checked and left. Run again after it completed
 * (or after an interruption, which rolled it all back) it does what is left.
 *
 * @throws ContactsModuleError `SECRETS_KEY_MISSING` when a secret is under a key other than `to`
 *   and no `from` was given; `SECRETS_KEY_WRONG` when it is under neither key, or altered.
 * @example
 * ```ts
 * await rotateSecretsAtRest(target, oldKey, newKey); // { keyId: newKey.id, rotated: 3, encrypted: 0, unchanged: 0 }
 * ```
 */
export async function rotateSecretsAtRest(
  target: SecretsTable,
  from: SecretsKey | null,
  to: SecretsKey,
): Promise<SecretsKeyRotation> {
  return withSecretsLocked(target, async (tx) => {
    const done: SecretsKeyRotation = { keyId: to.id, rotated: 0, encrypted: 0, unchanged: 0 };
    const writes: { secretKey: string; value: string }[] = [];
    // Every row is opened before the first write: a row no key opens fails the rotation early.
    for (const row of await readAll(tx, target)) {
      const { stored, secretKey } = row;
      if (stored.kind === 'sealed' && stored.keyId === to.id) {
        openStored(target.name, secretKey, stored, to);
        done.unchanged += 1;
        continue;
      }
      const value = openStored(target.name, secretKey, stored, from);
      writes.push({ secretKey, value: sealSecret(to, secretKey, value) });
      if (stored.kind === 'plain') done.encrypted += 1;
      else done.rotated += 1;
    }
    for (const write of writes) await writeValue(tx, target, write.secretKey, write.value);
    return done;
  });
}

/** Replaces a value only: re-encrypting changes how a secret is kept, not when it was set. */
async function writeValue(tx: ContactsDatabase, target: SecretsTable, secretKey: string, value: string) {
  const t = target.table;
  await tx.update(t).set({ secretValue: value }).where(eq(t.secretKey, secretKey));
}
