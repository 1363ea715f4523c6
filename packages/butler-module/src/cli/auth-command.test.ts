import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type GoogleEmulator, startGoogleEmulator } from '@contacts/google-emulator';
import { describeDatabase } from '@contacts/schema/testing';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { captureStream, runCli } from '../test-support/cli-harness.js';
import type { CliIo } from './cli-io.js';
import { main } from './main.js';

/** What a browser does with the consent URL: load the page, press a button, follow the redirect. */
async function press(consentUrl: string, decision: 'allow' | 'deny'): Promise<void> {
  const html = await (await fetch(consentUrl)).text();
  const id = /name="consent" value="([^"]+)"/.exec(html)?.[1] ?? '';
  const answer = await fetch(new URL('/o/oauth2/v2/auth/decision', consentUrl), {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ consent: id, decision }).toString(),
    redirect: 'manual',
  });
  await (await fetch(answer.headers.get('location') ?? '')).text();
}

describeDatabase('contacts auth', (t) => {
  let emulator: GoogleEmulator;
  let dir: string;
  beforeAll(async () => {
    emulator = await startGoogleEmulator({ people: 4, seed: 31 });
    dir = await mkdtemp(join(tmpdir(), 'contacts-auth-cmd-'));
    await writeFile(
      join(dir, 'butler.toml'),
      [
        '[modules.contacts]',
        'provider = "google"',
        '',
        '[[modules.contacts.sources]]',
        'provider = "google"',
        'account_id = "work"',
        'include_other_contacts = true',
        `root_url = "${emulator.url}"`,
        `token_url = "${emulator.tokenUrl}"`,
        `auth_url = "${emulator.authUrl}"`,
        '',
      ].join('\n'),
    );
  });
  afterAll(async () => {
    await emulator?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });
  const globals = () => ['--config', 'butler.toml', '--butler-schema', t.butlerSchema];

  /** `contacts auth` in-process; `browser` gets the printed consent URL while the command waits. */
  async function auth(
    argv: string[],
    browser: (url: string) => Promise<void>,
    env: Record<string, string> = {},
  ) {
    const stdout = captureStream();
    const stderr = captureStream();
    let pressed: Promise<void> | undefined;
    stdout.on('data', () => {
      const line = stdout
        .text()
        .split('\n')
        .find((l) => l.startsWith(emulator.authUrl));
      if (line && !pressed) pressed = browser(line.trim());
    });
    const io: CliIo = {
      stdout,
      stderr,
      env,
      cwd: dir,
      openDatabase: async () => ({ db: t.db, close: async () => {} }),
    };
    const code = await main(['auth', 'google', '--no-browser', ...argv, ...globals()], io);
    await pressed;
    await new Promise((resolve) => setImmediate(resolve));
    return { code, stdout: stdout.text(), stderr: stderr.text() };
  }

  it('refuses a provider it does not know, and asks for a source when several are configured', async () => {
    const unknown = await runCli(['auth', 'nope', ...globals()], { db: t.db, cwd: dir });
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/No provider "nope"; registered: /);
    const several = await runCli(['auth', 'google', ...globals()], { db: t.db, cwd: dir });
    expect(several.code).toBe(2);
    expect(several.stderr).toMatch(/Several sources are configured/);
  });

  it("stores the account's keys (KEY@account) after Allow, with the other contacts' scope, and a sync works", async () => {
    const { clientId, clientSecret } = emulator.credentials;
    // The client id from the store, the secret from the environment.
    const stored = await runCli(['secrets', 'set', 'GOOGLE_OAUTH_CLIENT_ID@work', clientId, ...globals()], {
      db: t.db,
      cwd: dir,
    });
    expect(stored.code).toBe(0);
    let consentUrl = '';
    const result = await auth(
      ['--source', 'google:work'],
      (url) => {
        consentUrl = url;
        return press(url, 'allow');
      },
      { CONTACTS_GOOGLE_CLIENT_SECRET: clientSecret },
    );
    expect(result.stderr).not.toContain(clientSecret);
    expect(result.stdout).not.toContain(clientSecret);
    expect(result.code).toBe(0);
    expect(new URL(consentUrl).searchParams.get('scope')).toBe(
      'https://www.googleapis.com/auth/contacts.readonly https://www.googleapis.com/auth/contacts.other.readonly',
    );
    expect(result.stdout).toMatch(
      /Stored GOOGLE_OAUTH_CLIENT_ID@work, GOOGLE_OAUTH_CLIENT_SECRET@work, GOOGLE_REFRESH_TOKEN@work for google:work/,
    );
    emulator.admin.rotateRefreshToken(); // only the token consent issued works now
    const sync = await runCli(['sync', '--source', 'google:work', ...globals()], { db: t.db, cwd: dir });
    expect(sync.code).toBe(0);
  });

  it('stores nothing when the person presses Deny', async () => {
    const result = await auth(['--source', 'google:work'], (url) => press(url, 'deny'), {
      CONTACTS_GOOGLE_CLIENT_ID: emulator.credentials.clientId,
      CONTACTS_GOOGLE_CLIENT_SECRET: emulator.credentials.clientSecret,
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/did not allow access/);
    expect(result.stdout).not.toContain('Stored');
  });
});
