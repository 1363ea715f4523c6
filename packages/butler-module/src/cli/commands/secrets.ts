import type { Readable } from 'node:stream';
import type { SecretsAtRest } from '../../credentials/credential-store.js';
import { checkSecret, DbCredentialStore } from '../../credentials/db-credential-store.js';
import type { SecretsKey } from '../../credentials/secrets-key.js';
import { credentialOwner, readSourceCredentials } from '../../credentials/source-credentials.js';
import { ContactsModuleError } from '../../errors.js';
import { configuredSources } from '../../module/configured-sources.js';
import { defaultProviderRegistry } from '../../module/default-registry.js';
import { type CommandContext, withDatabase } from '../command-context.js';
import { formatTable } from '../format.js';
import { untilAborted } from '../interrupt.js';
import { loadCliConfig } from '../load-config.js';
import { ENV } from '../options.js';
import { currentSecretsKey, newSecretsKey } from '../secrets-key-source.js';
import { pickSources } from '../source-flag.js';

/** How to give the key, for notes. */
const GIVE_KEY = `$${ENV.secretsKey}, $${ENV.secretsKeyFile} or --secrets-key-file`;

/** The notes that say how the secrets are kept, on stderr (stdout stays the command's answer). */
function noteAtRest(ctx: CommandContext, table: string, atRest: SecretsAtRest): void {
  if (atRest.encryptedNow > 0) {
    ctx.err(
      `note: encrypted ${atRest.encryptedNow} secret(s) of ${table} that were stored in plain text (key id ${atRest.keyId}).`,
    );
  }
  if (atRest.plain > 0) {
    ctx.err(
      `note: ${atRest.plain} secret(s) of ${table} are stored in plain text; give a secrets key (${GIVE_KEY}) to encrypt them.`,
    );
  }
}

/** Options of `contacts secrets set`. */
export interface SecretsSetFlags {
  category?: string;
  description?: string;
  sensitive?: boolean;
  expiresAt?: string;
}

async function readAll(stream: Readable): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)));
  return Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
}

/**
 * `contacts secrets set KEY [VALUE]`: stores a secret in `butler_secrets`. Without VALUE it is read
 * from stdin (keeps it out of shell history and `ps`). The value is never printed.
 */
export async function secretsSetCommand(
  ctx: CommandContext,
  key: string,
  value: string | undefined,
  flags: SecretsSetFlags,
): Promise<number> {
  // Every flag is checked before stdin is read or a database opened (or created).
  checkSecret(key);
  let expiresAt: Date | undefined;
  if (flags.expiresAt !== undefined) {
    expiresAt = new Date(flags.expiresAt);
    if (Number.isNaN(expiresAt.getTime())) {
      throw new ContactsModuleError(
        'USAGE',
        `--expires-at must be an ISO 8601 date, e.g. 2026-12-31T00:00:00Z.`,
      );
    }
  }
  const secretsKey = currentSecretsKey(ctx.io, ctx.globals.secretsKeyFile, ctx.redactor);
  let secret = value;
  if (secret === undefined) {
    const stdin = ctx.io.stdin;
    if (!stdin || stdin.isTTY) {
      throw new ContactsModuleError(
        'USAGE',
        `Give the value: \`contacts secrets set ${key} VALUE\`, or pipe it on stdin.`,
      );
    }
    // A stdin that never ends must not outlive a SIGTERM.
    secret = await untilAborted(readAll(stdin), ctx.io.signal);
  }
  checkSecret(key, secret);
  // Grouped under the provider whose key it is, as the registered descriptors declare their keys.
  const category = flags.category ?? credentialOwner(defaultProviderRegistry().descriptors(), key)?.name;
  const table = `${ctx.globals.butlerSchema}.butler_secrets`;
  const atRest = await withDatabase(ctx, { migrateFirst: true }, async (db) => {
    const store = new DbCredentialStore({ db, butlerSchema: ctx.globals.butlerSchema, secretsKey });
    // Refuses a missing or wrong key before writing: a value is never stored under a second key.
    const before = await store.verify();
    await store.set(key, secret, {
      category,
      description: flags.description,
      isSensitive: flags.sensitive,
      expiresAt,
    });
    return before;
  });
  const kept = secretsKey ? `encrypted with key id ${secretsKey.id}` : 'in plain text';
  ctx.out(`Stored secret ${key}${category ? ` (category ${category})` : ''} in ${table}, ${kept}.`);
  noteAtRest(ctx, table, { ...atRest, plain: 0 });
  if (!secretsKey)
    ctx.err(`note: no secrets key was given; give one (${GIVE_KEY}) to encrypt the secrets of ${table}.`);
  return 0;
}

/**
 * `contacts secrets list`: every secret without its value, whether it is encrypted (and with which
 * key id), and which keys each configured source still lacks. Lists without a key too (nothing is decrypted);
 * given one, it first checks it and encrypts what is still in plain text.
 */
export async function secretsListCommand(
  ctx: CommandContext,
  flags: { json?: boolean; source?: string },
): Promise<number> {
  const registry = defaultProviderRegistry();
  const sources = pickSources(
    configuredSources(
      await loadCliConfig(ctx.globals.configPath, ctx.globals.configLabel),
      registry,
      ctx.globals.settingsOverrides,
    ),
    flags.source,
    { all: true },
  );
  const secretsKey = currentSecretsKey(ctx.io, ctx.globals.secretsKeyFile, ctx.redactor);
  const table = `${ctx.globals.butlerSchema}.butler_secrets`;
  const secrets = await withDatabase(ctx, { migrateFirst: false, readOnly: true }, async (db) => {
    const store = new DbCredentialStore({ db, butlerSchema: ctx.globals.butlerSchema, secretsKey });
    if (secretsKey) noteAtRest(ctx, table, await store.verify());
    return store.list({ includeExpired: true });
  });
  if (flags.json) {
    ctx.out(
      JSON.stringify(
        secrets.map((s) => ({
          key: s.key,
          category: s.category,
          description: s.description,
          is_sensitive: s.isSensitive,
          updated_at: s.updatedAt.toISOString(),
          expires_at: s.expiresAt?.toISOString() ?? null,
          expired: s.expired,
          encrypted: s.encrypted,
          key_id: s.keyId,
        })),
        null,
        2,
      ),
    );
    return 0;
  }
  if (secrets.length === 0) ctx.out(`No secrets in ${table}.`);
  else {
    ctx.out(
      formatTable(
        ['KEY', 'CATEGORY', 'SENSITIVE', 'ENCRYPTED', 'UPDATED', 'EXPIRES', 'DESCRIPTION'],
        secrets.map((s) => [
          s.key,
          s.category,
          s.isSensitive ? 'yes' : 'no',
          s.keyId ? `yes (key id ${s.keyId})` : 'no (plain text)',
          s.updatedAt.toISOString(),
          s.expiresAt ? `${s.expiresAt.toISOString()}${s.expired ? ' (expired)' : ''}` : 'never',
          s.description ?? '',
        ]),
      ),
    );
  }
  const present = new Map(secrets.filter((s) => !s.expired).map((s) => [s.key, 'present']));
  const listed = { get: async (key: string) => present.get(key) ?? null };
  for (const source of sources) {
    const { missing } = await readSourceCredentials(listed, source.descriptor, source.accountId);
    const name = source.descriptor.displayName ?? source.provider;
    const account = source.accountId === 'default' ? '' : ` of account "${source.accountId}"`;
    if (missing.length > 0) ctx.out(`Missing for ${name} sync${account}: ${missing.join(', ')}.`);
  }
  const plain = secrets.filter((s) => !s.encrypted).length;
  if (!secretsKey && plain > 0) noteAtRest(ctx, table, { keyId: null, encrypted: 0, plain, encryptedNow: 0 });
  return 0;
}

/**
 * `contacts secrets delete KEY`: removes one secret (its value is never printed). Exit 0 when it
 * was deleted, 1 when there was no such key (as `rm`: nothing to do is the work not done), 2 for
 * what is no key name (as `secrets set`).
 */
export async function secretsDeleteCommand(ctx: CommandContext, key: string): Promise<number> {
  // A value pasted where the key goes is refused before any database is opened, and a token
  // shaped like one is blanked from the "no such secret" sentence.
  checkSecret(key);
  const table = `${ctx.globals.butlerSchema}.butler_secrets`;
  const deleted = await withDatabase(ctx, { migrateFirst: true }, async (db) =>
    new DbCredentialStore({ db, butlerSchema: ctx.globals.butlerSchema }).delete(key),
  );
  const shown = ctx.redactor.redact(key);
  if (deleted) ctx.out(`Deleted ${shown} from ${table}.`);
  else ctx.err(`contacts: no secret ${JSON.stringify(shown)} in ${table}; nothing deleted.`);
  return deleted ? 0 : 1;
}

/** Options of `contacts secrets rotate-key`. */
export interface SecretsRotateKeyFlags {
  newKeyFile?: string;
}

/**
 * `contacts secrets rotate-key`: moves every secret from the current key (or plain text) to the
 * new one in one transaction. Interrupted, nothing changed; run again, it finishes. Afterwards
 * every process that reads the secrets needs the new key.
 */
export async function secretsRotateKeyCommand(
  ctx: CommandContext,
  flags: SecretsRotateKeyFlags,
): Promise<number> {
  const current: SecretsKey | null = currentSecretsKey(ctx.io, ctx.globals.secretsKeyFile, ctx.redactor);
  const next = newSecretsKey(ctx.io, flags.newKeyFile, ctx.redactor);
  if (current && current.id === next.id) {
    throw new ContactsModuleError(
      'USAGE',
      `The new secrets key is the current one (key id ${next.id}): make a new one with \`openssl rand -base64 32\`.`,
    );
  }
  const table = `${ctx.globals.butlerSchema}.butler_secrets`;
  const done = await withDatabase(ctx, { migrateFirst: false }, (db) =>
    new DbCredentialStore({ db, butlerSchema: ctx.globals.butlerSchema, secretsKey: current }).rotateKey(
      next,
    ),
  );
  ctx.out(
    `Every secret of ${table} is now encrypted with key id ${done.keyId}: ${done.rotated} re-encrypted from the old key, ` +
      `${done.encrypted} encrypted from plain text, ${done.unchanged} already under the new key.`,
  );
  ctx.out(
    `Give the new key to every process that reads them (${GIVE_KEY}); the old key no longer opens them.`,
  );
  return 0;
}
