import type { Readable } from 'node:stream';
import { checkSecret, DbCredentialStore } from '../../credentials/db-credential-store.js';
import { GOOGLE_CREDENTIAL_KEYS } from '../../credentials/google-credentials.js';
import { ContactsModuleError } from '../../errors.js';
import { type CommandContext, withDatabase } from '../command-context.js';
import { formatTable } from '../format.js';
import { untilAborted } from '../interrupt.js';

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
  const category = flags.category ?? (key.startsWith('GOOGLE_') ? 'google' : undefined);
  await withDatabase(ctx, { migrateFirst: true }, async (db) => {
    const store = new DbCredentialStore({ db, butlerSchema: ctx.globals.butlerSchema });
    await store.set(key, secret, {
      category,
      description: flags.description,
      isSensitive: flags.sensitive,
      expiresAt,
    });
  });
  ctx.out(
    `Stored secret ${key}${category ? ` (category ${category})` : ''} in ${ctx.globals.butlerSchema}.butler_secrets.`,
  );
  return 0;
}

/** `contacts secrets list`: every secret without its value, and which Google keys are still missing. */
export async function secretsListCommand(ctx: CommandContext, flags: { json?: boolean }): Promise<number> {
  const secrets = await withDatabase(ctx, { migrateFirst: false }, (db) =>
    new DbCredentialStore({ db, butlerSchema: ctx.globals.butlerSchema }).list({ includeExpired: true }),
  );
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
        })),
        null,
        2,
      ),
    );
    return 0;
  }
  if (secrets.length === 0) ctx.out(`No secrets in ${ctx.globals.butlerSchema}.butler_secrets.`);
  else {
    ctx.out(
      formatTable(
        ['KEY', 'CATEGORY', 'SENSITIVE', 'UPDATED', 'EXPIRES', 'DESCRIPTION'],
        secrets.map((s) => [
          s.key,
          s.category,
          s.isSensitive ? 'yes' : 'no',
          s.updatedAt.toISOString(),
          s.expiresAt ? `${s.expiresAt.toISOString()}${s.expired ? ' (expired)' : ''}` : 'never',
          s.description ?? '',
        ]),
      ),
    );
  }
  const present = new Set(secrets.filter((s) => !s.expired).map((s) => s.key));
  const missing = GOOGLE_CREDENTIAL_KEYS.filter((k) => !present.has(k));
  if (missing.length > 0) ctx.out(`Missing for Google sync: ${missing.join(', ')}.`);
  return 0;
}
