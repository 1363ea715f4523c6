import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DavTransport,
  describeOnDavServer,
  putCard,
  type RadicaleServer,
  startRadicale,
  vcard,
} from '@contacts/provider-carddav/testing';
import { describeDatabase } from '@contacts/schema/testing';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { DbCredentialStore } from '../credentials/db-credential-store.js';
import { runCli } from '../test-support/cli-harness.js';

// Issue 14: `contacts auth carddav` discovers the books at the url, checks the password at the
// server (read from stdin here: not a terminal), prints the books and stores the user name and
// password for the chosen source; a refused password stores nothing.
describeDatabase('contacts auth carddav', (t) => {
  describeOnDavServer('radicale', 'contacts auth carddav against Radicale (htpasswd)', () => {
    let radicale: RadicaleServer;
    let dir: string;
    beforeAll(async () => {
      radicale = await startRadicale();
      const bookUrl = await radicale.createBook('contacts');
      const transport = new DavTransport({ site: radicale.url, credentials: radicale.credentials });
      await putCard(transport, new URL('ada.vcf', bookUrl), vcard('ada', 'Ada Lovelace'));
      dir = await mkdtemp(join(tmpdir(), 'contacts-auth-carddav-'));
      await writeFile(
        join(dir, 'butler.toml'),
        [
          '[modules.contacts.sync]',
          'run_on_startup = false',
          '',
          '[[modules.contacts.sources]]',
          'provider = "carddav"',
          'account_id = "family"',
          `url = "${radicale.url}"`,
          '',
        ].join('\n'),
      );
    });
    afterAll(async () => {
      await radicale?.stop();
      if (dir) await rm(dir, { recursive: true, force: true });
    });
    const globals = () => ['--config', 'butler.toml', '--butler-schema', t.butlerSchema];
    const cli = (argv: string[], stdin?: string) =>
      runCli([...argv, ...globals()], { db: t.db, cwd: dir, ...(stdin === undefined ? {} : { stdin }) });
    const stored = (key: string) =>
      new DbCredentialStore({ db: t.db, butlerSchema: t.butlerSchema }).get(key);

    it('stores the user name and password the server accepted, lists the books, and a sync then works', async () => {
      const { username, password } = radicale.credentials;
      const result = await cli(['auth', 'carddav', '--username', username], `${password}\n`);
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
      expect(result.stdout).toContain(
        `The server accepted the password; 1 address book(s) at ${radicale.url}:`,
      );
      expect(result.stdout).toContain(`  ${new URL(`/${username}/contacts/`, radicale.url).href}`);
      expect(result.stdout).toMatch(
        /Stored CARDDAV_USERNAME@family, CARDDAV_PASSWORD@family for carddav:family/,
      );
      expect(result.stdout).not.toContain(password);
      expect(await stored('CARDDAV_USERNAME@family')).toBe(username);
      expect(await stored('CARDDAV_PASSWORD@family')).toBe(password);

      const sync = await cli(['sync', '--source', 'carddav:family']);
      expect(sync.stderr).toBe('');
      expect(sync.code).toBe(0);
      expect(sync.stdout).toMatch(/fetched 1\b/);
    });

    it('refuses a wrong password with AUTH_FAILED and the app-specific-password sentence, and stores nothing', async () => {
      const result = await cli(
        ['auth', 'carddav', '--url', radicale.url, '--username', 'ada', '--source', 'carddav:work'],
        'not-the-password\n',
      );
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(/refused the user name and password \(HTTP 401\)/);
      expect(result.stderr).toMatch(/app-specific password/);
      expect(result.stderr + result.stdout).not.toContain('not-the-password');
      expect(result.stdout).not.toContain('Stored');
      expect(await stored('CARDDAV_USERNAME@work')).toBeNull();
      expect(await stored('CARDDAV_PASSWORD@work')).toBeNull();
    });

    it('connects an account before its source table exists (--url), and says what to add', async () => {
      const { username, password } = radicale.credentials;
      const result = await cli(
        ['auth', 'carddav', '--url', radicale.url, '--username', username, '--source', 'carddav:work'],
        password,
      );
      expect(result.code).toBe(0);
      expect(result.stdout).toContain(
        `Set url = "${radicale.url}" in the source's [[modules.contacts.sources]] table`,
      );
      expect(result.stdout).toMatch(/Stored CARDDAV_USERNAME@work, CARDDAV_PASSWORD@work for carddav:work/);
      expect(result.stdout).toMatch(
        /No CardDAV source is configured yet: add a \[\[modules.contacts.sources\]\] table \(provider = "carddav", account_id = "work"/,
      );
      expect(await stored('CARDDAV_PASSWORD@work')).toBe(password);
    });

    it('asks for the user name and the url when nothing gives them', async () => {
      const noUser = await cli(
        ['auth', 'carddav', '--url', radicale.url, '--source', 'carddav:nobody'],
        'pw',
      );
      expect(noUser.code).toBe(2);
      expect(noUser.stderr).toContain(
        'Give CARDDAV_USERNAME@nobody: --username, $CONTACTS_CARDDAV_USERNAME or `contacts secrets set CARDDAV_USERNAME@nobody`.',
      );
      const noUrl = await cli(['auth', 'carddav', '--source', 'carddav:other', '--username', 'ada'], 'pw');
      expect(noUrl.code).toBe(2);
      expect(noUrl.stderr).toContain("Give url: --url or `url` in the source's table.");
    });
  });
});
