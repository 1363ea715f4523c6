import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type GoogleEmulator, startGoogleEmulator } from '@contacts/google-emulator';
import { describeDatabase } from '@contacts/schema/testing';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { runCli } from '../test-support/cli-harness.js';
import { emulatorCredentials } from '../test-support/module-harness.js';

// Issue 12: `contacts sync`, `status` and `secrets list` take `--source PROVIDER[:ACCOUNT]` when a
// butler.toml configures several sources, and `contacts secrets delete KEY` removes one secret.
// Two Google accounts on two emulators: "default" (the spec form, endpoints from the flag and
// the environment) and "home" (a [[modules.contacts.sources]] table with its own endpoints).
describeDatabase('contacts --source and secrets delete', (t) => {
  let work: GoogleEmulator;
  let home: GoogleEmulator;
  let dir: string;
  beforeAll(async () => {
    [work, home] = await Promise.all([
      startGoogleEmulator({ people: 3, seed: 11 }),
      startGoogleEmulator({ people: 5, seed: 12 }),
    ]);
    dir = await mkdtemp(join(tmpdir(), 'contacts-source-flag-'));
    await writeFile(
      join(dir, 'butler.toml'),
      [
        '[modules.contacts]',
        'provider = "google"',
        '',
        '[[modules.contacts.sources]]',
        'provider = "google"',
        'account_id = "home"',
        `root_url = "${home.url}"`,
        `token_url = "${home.tokenUrl}"`,
        '',
      ].join('\n'),
    );
    // No top-level provider: the one table is the only source.
    await writeFile(
      join(dir, 'home-only.toml'),
      [
        '[modules.contacts.sync]',
        'interval_minutes = 30',
        '',
        '[[modules.contacts.sources]]',
        'provider = "google"',
        'account_id = "home"',
        `root_url = "${home.url}"`,
        `token_url = "${home.tokenUrl}"`,
        '',
      ].join('\n'),
    );
  });
  afterAll(async () => {
    await Promise.all([work?.close(), home?.close()]);
    if (dir) await rm(dir, { recursive: true, force: true });
  });
  const cli = (argv: string[], options: Parameters<typeof runCli>[1] = {}) =>
    runCli([...argv, '--config', 'butler.toml', '--butler-schema', t.butlerSchema], {
      db: t.db,
      cwd: dir,
      env: { CONTACTS_GOOGLE_TOKEN_URL: work.tokenUrl },
      ...options,
    });
  const workFlags = () => ['--google-root-url', work.url];
  const seed = async () => {
    for (const [key, value] of Object.entries(emulatorCredentials(work)))
      expect((await cli(['secrets', 'set', key], { stdin: value })).code).toBe(0);
    for (const [key, value] of Object.entries(emulatorCredentials(home)))
      expect((await cli(['secrets', 'set', `${key}@home`], { stdin: value })).code).toBe(0);
  };
  const USAGE = 2;
  const configured = 'configured sources: google:default, google:home.';

  it('--source picks the source that sync and status work on', async () => {
    await seed();
    const homeSync = await cli(['sync', '--source', 'google:home', ...workFlags()]);
    expect(homeSync.code, homeSync.stderr).toBe(0);
    expect(homeSync.stdout).toMatch(/^Synced google \(home\): full sync/);
    expect(homeSync.stdout).toContain(`fetched ${home.admin.people().length}, created`);
    const workSync = await cli(['sync', '--json', '--source', 'google:default', ...workFlags()]);
    expect(workSync.code, workSync.stderr).toBe(0);
    expect(JSON.parse(workSync.stdout)).toMatchObject({
      provider: 'google',
      account_id: 'default',
      mode: 'full',
      summary: { fetched: work.admin.people().length },
    });
    const again = await cli(['sync', '--json', '--source', 'google:home', ...workFlags()]);
    expect(JSON.parse(again.stdout)).toMatchObject({ account_id: 'home', mode: 'incremental' });

    const status = await cli(['status', '--json', '--source', 'google:home']);
    expect(status.code, status.stderr).toBe(0);
    expect(JSON.parse(status.stdout)).toMatchObject({
      provider: 'google',
      account_id: 'home',
      cursor_present: true,
      last_error: null,
    });
    const text = await cli(['status', '--source', 'google:default']);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/account\s+default\n/);
  });

  it('without --source, sync and status refuse to guess between several sources; secrets list covers all', async () => {
    for (const command of [['sync', ...workFlags()], ['status']]) {
      const result = await cli(command);
      expect(result.code, command[0]).toBe(USAGE);
      expect(result.stderr).toBe(
        'contacts: Several sources are configured (google:default, google:home): pick one with --source PROVIDER[:ACCOUNT].\n',
      );
    }
    const ambiguous = await cli(['status', '--source', 'google']);
    expect(ambiguous.code).toBe(USAGE);
    expect(ambiguous.stderr).toMatch(/--source google matches 2 sources .*--source google:default/);

    const list = await cli(['secrets', 'list']);
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(
      /Missing for Google sync: GOOGLE_OAUTH_CLIENT_ID, GOOGLE_OAUTH_CLIENT_SECRET, GOOGLE_REFRESH_TOKEN\./,
    );
    expect(list.stdout).toMatch(
      /Missing for Google sync of account "home": GOOGLE_OAUTH_CLIENT_ID@home, GOOGLE_OAUTH_CLIENT_SECRET@home, GOOGLE_REFRESH_TOKEN@home\./,
    );
    const one = await cli(['secrets', 'list', '--source', 'google:home']);
    expect(one.code).toBe(0);
    expect(one.stdout).toMatch(/Missing for Google sync of account "home"/);
    expect(one.stdout).not.toMatch(/Missing for Google sync:/);
  });

  it('refuses an unknown source on sync, status and secrets list with a sentence listing the configured ones', async () => {
    for (const command of [
      ['sync', '--source', 'google:office', ...workFlags()],
      ['status', '--source', 'outlook'],
      ['secrets', 'list', '--source', 'google:nope'],
    ]) {
      const result = await cli(command);
      expect(result.code, command.join(' ')).toBe(USAGE);
      const flag = command[command.indexOf('--source') + 1];
      expect(result.stderr).toBe(`contacts: --source "${flag}" names no configured source; ${configured}\n`);
      expect(result.stdout).toBe('');
    }
  });

  it('secrets delete removes one key and says so; a missing key is said and exits 1; no value is printed', async () => {
    await seed();
    const token = home.credentials.refreshToken;
    const deleted = await cli(['secrets', 'delete', 'GOOGLE_REFRESH_TOKEN@home']);
    expect(deleted).toMatchObject({
      code: 0,
      stdout: `Deleted GOOGLE_REFRESH_TOKEN@home from ${t.butlerSchema}.butler_secrets.\n`,
      stderr: '',
    });
    const list = await cli(['secrets', 'list', '--json']);
    const keys = (JSON.parse(list.stdout) as { key: string }[]).map((s) => s.key);
    expect(keys).not.toContain('GOOGLE_REFRESH_TOKEN@home');
    expect(keys).toContain('GOOGLE_REFRESH_TOKEN');
    expect(keys).toContain('GOOGLE_OAUTH_CLIENT_ID@home');
    // The home account now lacks its token: its sync says which key, the default one still runs.
    const refused = await cli(['sync', '--source', 'google:home', ...workFlags()]);
    expect(refused.code).toBe(USAGE);
    expect(refused.stderr).toMatch(/GOOGLE_REFRESH_TOKEN@home/);
    expect((await cli(['sync', '--source', 'google:default', ...workFlags()])).code).toBe(0);

    const again = await cli(['secrets', 'delete', 'GOOGLE_REFRESH_TOKEN@home']);
    expect(again).toMatchObject({
      code: 1,
      stdout: '',
      stderr: `contacts: no secret "GOOGLE_REFRESH_TOKEN@home" in ${t.butlerSchema}.butler_secrets; nothing deleted.\n`,
    });
    for (const out of [deleted, list, refused, again]) expect(out.stdout + out.stderr).not.toContain(token);
  });

  it('secrets set groups a key under the provider whose descriptor declares it, for any account', async () => {
    const stored = async (key: string) =>
      (await cli(['secrets', 'set', key], { stdin: 'value-0123456789' })).stdout;
    expect(await stored('GOOGLE_REFRESH_TOKEN@home')).toMatch(
      /^Stored secret GOOGLE_REFRESH_TOKEN@home \(category google\) in /,
    );
    expect(await stored('GOOGLE_OAUTH_CLIENT_ID')).toMatch(/\(category google\)/);
    // A prefix is no claim: only the keys a descriptor declares are a provider's.
    expect(await stored('GOOGLE_CALENDAR_API_KEY')).toMatch(/^Stored secret GOOGLE_CALENDAR_API_KEY in /);
    const list = JSON.parse((await cli(['secrets', 'list', '--json'])).stdout) as {
      key: string;
      category: string;
    }[];
    expect(Object.fromEntries(list.map((s) => [s.key, s.category]))).toEqual({
      GOOGLE_CALENDAR_API_KEY: 'general',
      GOOGLE_OAUTH_CLIENT_ID: 'google',
      'GOOGLE_REFRESH_TOKEN@home': 'google',
    });
  });

  it('secrets delete refuses what is no key name, and never echoes a token pasted as one', async () => {
    const invalid = await cli(['secrets', 'delete', 'bad key']);
    expect(invalid.code).toBe(USAGE);
    expect(invalid.stderr).toMatch(/^contacts: A secret key is 1 to 200 letters/);
    // An access token pasted where the key goes (a valid key name): refused or not found, it is never printed.
    const pasted = 'ya29.a0AfH6SMBpastedByMistake-abcdef';
    const result = await cli(['secrets', 'delete', pasted]);
    expect(result.code).not.toBe(0);
    expect(result.stdout + result.stderr).not.toContain(pasted);
  });

  it('a butler.toml of [[modules.contacts.sources]] tables alone: its one table is the source, no --source needed', async () => {
    await seed();
    const only = (argv: string[]) =>
      runCli([...argv, '--config', 'home-only.toml', '--butler-schema', t.butlerSchema], {
        db: t.db,
        cwd: dir,
      });
    const synced = await only(['sync', '--json']);
    expect(synced.code, synced.stderr).toBe(0);
    expect(JSON.parse(synced.stdout)).toMatchObject({ provider: 'google', account_id: 'home', mode: 'full' });
    const status = await only(['status', '--json']);
    expect(JSON.parse(status.stdout)).toMatchObject({ account_id: 'home', cursor_present: true });
    const wrong = await only(['status', '--source', 'google:default']);
    expect(wrong.code).toBe(USAGE);
    expect(wrong.stderr).toMatch(/names no configured source; configured sources: google:home\.\n$/);
    await cli(['secrets', 'delete', 'GOOGLE_REFRESH_TOKEN']);
    // The default account is not configured: its keys are not asked for.
    const list = await only(['secrets', 'list']);
    expect(list.stdout).not.toMatch(/Missing for/);
  });
});
