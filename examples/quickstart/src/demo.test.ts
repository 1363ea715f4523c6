import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DbCredentialStore } from '@contacts/butler-module';
import { openDatabase } from '@contacts/butler-module/cli';
import { startGoogleEmulator } from '@contacts/google-emulator';
import { migrate } from '@contacts/schema';
import { describe, expect, it } from 'vitest';
import { emulatorCredentialsRefusal, runDemo } from './demo.js';

it('tells the quickstart story end to end: sync, changes on both sides, sync, what happened', async () => {
  const lines: string[] = [];
  const { secrets } = await runDemo({ people: 120, write: (line) => lines.push(line) });
  const out = lines.join('\n');
  expect(out).toMatch(/full: fetched 120, created \d+/);
  expect(out).toMatch(
    /incremental: fetched 3, created 1, updated 1, skipped 0, unchanged 0, deleted 1, conflicts 1, failed 0/,
  );
  expect(out).toContain('job title is "Chief Tea Officer"; the nickname "Doc" came from Google');
  expect(out).toContain('(deleted_at set); the CRM contact is kept');
  expect(out).toMatch(/\[contact_sync_conflict\] Kept your edits of .*Chief Tea Officer.*Head of Research/);
  expect(out).toMatch(/\[contact_sync_deleted_source\]/);
  expect(out).toMatch(/\[contact_synced\] Added Ada Lovelace/);
  expect(out).toMatch(
    /Status: \d+ contacts linked, cursor present: true, last error: none, failed contacts: 0/,
  );
  // The emulator's client secret and refresh token are stored, never printed.
  expect(secrets).toHaveLength(2);
  for (const secret of secrets) expect(out).not.toContain(secret);
});

describe('the data directory of the contacts command', () => {
  const withDataDir = async (secrets: Record<string, string>) => {
    const dataDir = mkdtempSync(join(tmpdir(), 'contacts-demo-'));
    const { db, close } = await openDatabase({ kind: 'pglite', dataDir });
    await migrate(db, { butlerSchema: 'relationship' });
    const store = new DbCredentialStore({ db, butlerSchema: 'relationship' });
    for (const [key, value] of Object.entries(secrets)) await store.set(key, value);
    await close();
    return dataDir;
  };
  const storedKeys = async (dataDir: string) => {
    const { db, close } = await openDatabase({ kind: 'pglite', dataDir });
    try {
      return (await new DbCredentialStore({ db, butlerSchema: 'relationship' }).list()).map((s) => s.key);
    } finally {
      await close();
    }
  };

  it('is left untouched when it lacks Google credentials: the demo runs in memory', async () => {
    const dataDir = await withDataDir({ GOOGLE_OAUTH_CLIENT_ID: 'only-one-key' });
    try {
      const lines: string[] = [];
      await runDemo({ people: 30, dataDir, write: (line) => lines.push(line) });
      expect(lines.join('\n')).toContain('Google emulator on');
      expect(await storedKeys(dataDir)).toEqual(['GOOGLE_OAUTH_CLIENT_ID']);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('syncs the account whose credentials it holds, changing nothing there', async () => {
    // "Real" Google played by an emulator the demo does not start itself, with credentials of
    // a real client's shape (the emulator's own are refused: see below).
    const google = await startGoogleEmulator({
      people: 25,
      seed: 5,
      otherContacts: 0,
      credentials: { clientId: '1234-realclient.apps.googleusercontent.com' },
    });
    const dataDir = await withDataDir({
      GOOGLE_OAUTH_CLIENT_ID: google.credentials.clientId,
      GOOGLE_OAUTH_CLIENT_SECRET: google.credentials.clientSecret,
      GOOGLE_REFRESH_TOKEN: google.credentials.refreshToken,
    });
    try {
      const lines: string[] = [];
      await runDemo({
        dataDir,
        google: { rootUrl: google.url, tokenUrl: google.tokenUrl },
        write: (line) => lines.push(line),
      });
      const out = lines.join('\n');
      expect(out).toContain(`Using the Google credentials stored in ${dataDir}`);
      expect(out).toMatch(/full: fetched 25, created \d+/);
      expect(out).not.toContain('Google emulator on');
      expect(google.admin.people()).toHaveLength(25);
    } finally {
      await google.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it("refuses the emulator's credentials as a real account's: says so, runs in memory, changes nothing", async () => {
    // What the old walk-through left in ./.contacts: the standalone emulator's three credentials.
    const google = await startGoogleEmulator({ people: 5, seed: 9, otherContacts: 0 });
    const dataDir = await withDataDir({
      GOOGLE_OAUTH_CLIENT_ID: google.credentials.clientId,
      GOOGLE_OAUTH_CLIENT_SECRET: google.credentials.clientSecret,
      GOOGLE_REFRESH_TOKEN: google.credentials.refreshToken,
    });
    await google.close();
    try {
      const lines: string[] = [];
      await runDemo({ people: 30, dataDir, write: (line) => lines.push(line) });
      const out = lines.join('\n');
      expect(out).toContain(emulatorCredentialsRefusal(dataDir));
      expect(out).toContain("holds the Google emulator's credentials, not a real account's");
      expect(out).not.toContain('Using the Google credentials stored in');
      expect(out).toContain('Google emulator on');
      expect(out).toMatch(/full: fetched 30, created \d+/);
      expect(await storedKeys(dataDir)).toEqual([
        'GOOGLE_OAUTH_CLIENT_ID',
        'GOOGLE_OAUTH_CLIENT_SECRET',
        'GOOGLE_REFRESH_TOKEN',
      ]);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
