import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DbCredentialStore, GOOGLE_CREDENTIAL_KEYS } from '@contacts/butler-module';
import { openDatabase } from '@contacts/butler-module/cli';
import { type GoogleEmulator, isEmulatorClientId } from '@contacts/google-emulator';
import { DEFAULT_BUTLER_SCHEMA, migrate } from '@contacts/schema';

/** The first line of a butler.toml this file writes: one without it is a person's, never replaced. */
export const EMULATOR_CONFIG_MARKER = '# Written by `pnpm emulator --data-dir`';

/**
 * Makes `dataDir` a data directory the `contacts` command syncs the running emulator from: its
 * embedded database migrated, the emulator's three credentials in `butler_secrets`, and a
 * `butler.toml` beside them naming the emulator's endpoints (`contacts --data-dir DIR` reads it).
 * Run again on every start (the port changes). A directory holding a real account's credentials
 * or a butler.toml of its owner's is refused, untouched.
 *
 * @throws Error with a sentence when `dataDir` is a real account's or its lock is held.
 * @example
 * ```ts
 * const emulator = await startGoogleEmulator({ people: 100 });
 * await writeEmulatorDataDir(emulator, '/home/me/.contacts-emulator');
 * // contacts --data-dir /home/me/.contacts-emulator sync
 * ```
 */
export async function writeEmulatorDataDir(emulator: GoogleEmulator, dataDir: string): Promise<void> {
  const configPath = join(dataDir, 'butler.toml');
  if (existsSync(configPath) && !readFileSync(configPath, 'utf8').startsWith(EMULATOR_CONFIG_MARKER)) {
    throw new Error(
      `${configPath} was not written by the emulator; it is left alone. Give the emulator a data directory of its own, e.g. --data-dir ./.contacts-emulator.`,
    );
  }
  const { db, close } = await openDatabase({ kind: 'pglite', dataDir });
  try {
    const butlerSchema = DEFAULT_BUTLER_SCHEMA;
    await migrate(db, { butlerSchema });
    const store = new DbCredentialStore({ db, butlerSchema });
    const clientId = await store.get('GOOGLE_OAUTH_CLIENT_ID');
    if (clientId !== null && !isEmulatorClientId(clientId)) {
      throw new Error(
        `${dataDir} holds the Google credentials of a real account; the emulator leaves them alone. Give it a data directory of its own, e.g. --data-dir ./.contacts-emulator.`,
      );
    }
    const values: Record<(typeof GOOGLE_CREDENTIAL_KEYS)[number], string> = {
      GOOGLE_OAUTH_CLIENT_ID: emulator.credentials.clientId,
      GOOGLE_OAUTH_CLIENT_SECRET: emulator.credentials.clientSecret,
      GOOGLE_REFRESH_TOKEN: emulator.credentials.refreshToken,
    };
    for (const key of GOOGLE_CREDENTIAL_KEYS) {
      await store.set(key, values[key], { category: 'google', description: 'the local Google emulator' });
    }
  } finally {
    await close();
  }
  const toml = [
    EMULATOR_CONFIG_MARKER,
    '# on every start: it points the contacts command at the local emulator (its port changes).',
    '[modules.contacts]',
    '',
    "[[modules.contacts.sources]]  # the sources-only form: where a source's endpoints go",
    'provider = "google"',
    `root_url = ${JSON.stringify(emulator.url)}`,
    `token_url = ${JSON.stringify(emulator.tokenUrl)}`,
    `auth_url = ${JSON.stringify(emulator.authUrl)}`,
    '',
  ].join('\n');
  writeFileSync(configPath, toml, { mode: 0o600 });
}
