import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { DbCredentialStore } from '@contacts/butler-module';
import { main, openDatabase } from '@contacts/butler-module/cli';
import { startGoogleEmulator } from '@contacts/google-emulator';
import { migrate } from '@contacts/schema';
import { afterEach, describe, expect, it } from 'vitest';
import { EMULATOR_CONFIG_MARKER, writeEmulatorDataDir } from './emulator-data-dir.js';

/** The `contacts` command in-process, as a person types it; no environment (no endpoint variables). */
async function contacts(argv: string[]) {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const text = (stream: PassThrough) => {
    const chunks: Buffer[] = [];
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    return () => Buffer.concat(chunks).toString('utf8');
  };
  const out = text(stdout);
  const err = text(stderr);
  const code = await main(argv, { stdout, stderr, env: {} });
  return { code, stdout: out(), stderr: err() };
}

const dirs: string[] = [];
const tempDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'contacts-emulator-dir-'));
  dirs.push(dir);
  return join(dir, '.contacts-emulator');
};
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('pnpm emulator --data-dir (writeEmulatorDataDir)', () => {
  it('writes what `contacts --data-dir DIR` needs: sync and status work with no other flag', async () => {
    const dataDir = tempDir();
    const first = await startGoogleEmulator({ people: 12, otherContacts: 0, seed: 3 });
    try {
      await writeEmulatorDataDir(first, dataDir);
      const config = readFileSync(join(dataDir, 'butler.toml'), 'utf8');
      expect(config.startsWith(EMULATOR_CONFIG_MARKER)).toBe(true);
      expect(config).toContain(`root_url = "${first.url}"`);
      expect(config).toContain(`token_url = "${first.tokenUrl}"`);
      expect(statSync(join(dataDir, 'butler.toml')).mode & 0o077).toBe(0);

      const synced = await contacts(['--data-dir', dataDir, 'sync']);
      expect(synced.stderr).not.toMatch(/^contacts:/m);
      expect(synced.code).toBe(0);
      expect(synced.stdout).toMatch(/fetched 12\b/);
      const status = await contacts(['--data-dir', dataDir, 'status', '--json']);
      expect(status.code).toBe(0);
      expect(JSON.parse(status.stdout)).toMatchObject({ provider: 'google', contact_count: 12 });
    } finally {
      await first.close();
    }

    // The next start is on another port: written again, the directory follows it.
    const second = await startGoogleEmulator({ people: 12, otherContacts: 0, seed: 3 });
    try {
      await writeEmulatorDataDir(second, dataDir);
      expect(readFileSync(join(dataDir, 'butler.toml'), 'utf8')).toContain(`root_url = "${second.url}"`);
      const again = await contacts(['--data-dir', dataDir, 'sync']);
      expect(again.stderr).not.toMatch(/^contacts:/m);
      expect(again.code).toBe(0);
      expect(second.admin.requestCount()).toBeGreaterThan(0);
    } finally {
      await second.close();
    }
  });

  it("refuses a data directory that holds a real account's credentials, and changes nothing", async () => {
    const dataDir = tempDir();
    const { db, close } = await openDatabase({ kind: 'pglite', dataDir });
    await migrate(db, { butlerSchema: 'relationship' });
    await new DbCredentialStore({ db, butlerSchema: 'relationship' }).set(
      'GOOGLE_OAUTH_CLIENT_ID',
      '1234-realclient.apps.googleusercontent.com',
    );
    await close();
    const emulator = await startGoogleEmulator({ people: 1 });
    try {
      await expect(writeEmulatorDataDir(emulator, dataDir)).rejects.toThrow(
        /holds the Google credentials of a real account; the emulator leaves them alone/,
      );
    } finally {
      await emulator.close();
    }
    const reopened = await openDatabase({ kind: 'pglite', dataDir });
    try {
      const store = new DbCredentialStore({ db: reopened.db, butlerSchema: 'relationship' });
      expect((await store.list()).map((s) => s.key)).toEqual(['GOOGLE_OAUTH_CLIENT_ID']);
      expect(await store.get('GOOGLE_OAUTH_CLIENT_ID')).toBe('1234-realclient.apps.googleusercontent.com');
    } finally {
      await reopened.close();
    }
  });

  it("leaves alone a butler.toml it did not write, and the directory's database is not created", async () => {
    const dataDir = tempDir();
    mkdirSync(dataDir, { recursive: true });
    writeFileSync(join(dataDir, 'butler.toml'), '[modules.contacts]\nprovider = "google"\n');
    const emulator = await startGoogleEmulator({ people: 1 });
    try {
      await expect(writeEmulatorDataDir(emulator, dataDir)).rejects.toThrow(
        /was not written by the emulator/,
      );
    } finally {
      await emulator.close();
    }
    expect(readFileSync(join(dataDir, 'butler.toml'), 'utf8')).toBe(
      '[modules.contacts]\nprovider = "google"\n',
    );
    expect(() => statSync(join(dataDir, 'pgdata'))).toThrow();
  });
});
