import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { ContactsSyncStateStore } from '@contacts/core';
import { type GoogleEmulator, startGoogleEmulator } from '@contacts/google-emulator';
import { describeDatabase } from '@contacts/schema/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../test-support/cli-harness.js';
import { deferred } from '../test-support/page-hooks.js';

describe('contacts command line', () => {
  it('prints help and exits 0; usage errors exit 2 with a one-line message', async () => {
    const help = await runCli(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/Usage: contacts \[options\] \[command\]/);
    expect(help.stdout).toMatch(/secrets/);
    expect((await runCli([])).code).toBe(2);
    const unknown = await runCli(['frobnicate']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/^contacts: error: unknown command 'frobnicate'/);
    const dashed = await runCli(['secrets', 'set', 'GOOGLE_OAUTH_CLIENT_SECRET', '-GOCSPX-leak-me']);
    expect(dashed.code).toBe(2);
    expect(dashed.stderr).not.toContain('leak-me');
    expect(dashed.stderr).toMatch(/pass the value on stdin/);
    const missing = await runCli(['secrets', 'set']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/missing required argument 'key'/);
    const schema = await runCli(['status', '--butler-schema', 'Bad-Name']);
    expect(schema.code).toBe(2);
    expect(schema.stderr).toMatch(/^contacts: --butler-schema: Invalid butler schema name "Bad-Name"/);
  });
});

describeDatabase('contacts command on a database', (t) => {
  let emulator: GoogleEmulator;
  let dir: string;
  beforeAll(async () => {
    emulator = await startGoogleEmulator({ people: 30, seed: 5 });
    dir = await mkdtemp(join(tmpdir(), 'contacts-cli-'));
  });
  afterAll(async () => {
    await emulator?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });
  const cli = (argv: string[], options: Parameters<typeof runCli>[1] = {}) =>
    runCli([...argv, '--butler-schema', t.butlerSchema], { db: t.db, cwd: dir, ...options });
  const seed = async () => {
    const c = emulator.credentials;
    for (const [key, value] of [
      ['GOOGLE_OAUTH_CLIENT_ID', c.clientId],
      ['GOOGLE_OAUTH_CLIENT_SECRET', c.clientSecret],
    ] as const) {
      expect((await cli(['secrets', 'set', key, value])).code).toBe(0);
    }
    // The refresh token through stdin, so it never sits in argv.
    expect(
      (await cli(['secrets', 'set', 'GOOGLE_REFRESH_TOKEN'], { stdin: `${c.refreshToken}\n` })).code,
    ).toBe(0);
  };
  const googleFlags = () => ['--google-root-url', emulator.url];
  const googleEnv = () => ({ CONTACTS_GOOGLE_TOKEN_URL: emulator.tokenUrl });

  it('serve stops at once on a signal that came while it was starting', async () => {
    await seed();
    const controller = new AbortController();
    controller.abort();
    const stdin = new PassThrough(); // left open: only the signal can stop it
    const result = await cli(['serve', ...googleFlags()], {
      env: googleEnv(),
      signal: controller.signal,
      stdinStream: stdin,
    });
    expect(result.code).toBe(0);
    stdin.destroy();
  });

  it('migrate is idempotent', async () => {
    const result = await cli(['migrate']);
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(result.stdout).toMatch(/is up to date \(butler schema "relationship"\)/);
  });

  it('secrets set stores without echoing; secrets list never prints values', async () => {
    const set = await cli([
      'secrets',
      'set',
      'GOOGLE_OAUTH_CLIENT_SECRET',
      'GOCSPX-top-secret-value',
      '--description',
      'OAuth client secret',
    ]);
    expect(set.code).toBe(0);
    expect(set.stdout).toBe(
      'Stored secret GOOGLE_OAUTH_CLIENT_SECRET (category google) in relationship.butler_secrets, in plain text.\n',
    );
    await cli([
      'secrets',
      'set',
      'OTHER_KEY',
      'another-secret-value',
      '--no-sensitive',
      '--expires-at',
      '2000-01-01T00:00:00Z',
    ]);
    const list = await cli(['secrets', 'list']);
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(
      /^KEY\s+CATEGORY\s+SENSITIVE\s+ENCRYPTED\s+UPDATED\s+EXPIRES\s+DESCRIPTION\n/,
    );
    expect(list.stdout).toMatch(
      /GOOGLE_OAUTH_CLIENT_SECRET\s+google\s+yes\s+no \(plain text\)\s+\S+\s+never\s+OAuth client secret/,
    );
    expect(list.stdout).toMatch(
      /OTHER_KEY\s+general\s+no\s+no \(plain text\)\s+\S+\s+2000-01-01T00:00:00.000Z \(expired\)/,
    );
    expect(list.stdout).toMatch(/Missing for Google sync: GOOGLE_OAUTH_CLIENT_ID, GOOGLE_REFRESH_TOKEN\./);
    const json = await cli(['secrets', 'list', '--json']);
    expect(JSON.parse(json.stdout)).toMatchObject([
      {
        key: 'GOOGLE_OAUTH_CLIENT_SECRET',
        is_sensitive: true,
        expired: false,
        encrypted: false,
        key_id: null,
      },
      { key: 'OTHER_KEY', is_sensitive: false, expired: true, encrypted: false, key_id: null },
    ]);
    for (const out of [set, list, json])
      expect(out.stdout + out.stderr).not.toMatch(/top-secret|another-secret/);
    const invalid = await cli(['secrets', 'set', 'bad key', 'x']);
    expect(invalid.code).toBe(2);
  });

  it('refuses bad configuration with exit 2 and one clear line', async () => {
    const file = (name: string, text: string) => writeFile(join(dir, name), text);
    await file('outlook.toml', '[modules.contacts]\nprovider = "Outlook"\n');
    await file('broken.toml', '[modules.contacts\nprovider = "google"\n');
    await file('other.toml', '[modules.calendar]\nprovider = "google"\n');
    await file(
      'bad.toml',
      '[modules.contacts]\nprovider = "google"\n[modules.contacts.sync]\ninterval_minutes = 0\n',
    );
    const expectations: [string, RegExp][] = [
      [
        'outlook.toml',
        /^contacts: Unsupported contacts provider "outlook" in modules\.contacts\.provider \(in the --config file .*outlook\.toml\); supported providers: carddav, google\.\n$/,
      ],
      ['broken.toml', /broken\.toml is not valid TOML/],
      ['other.toml', /has no \[modules\.contacts\] table/],
      ['bad.toml', /sync\.interval_minutes/],
      ['missing.toml', /Cannot read the --config file .*missing\.toml: no such file/],
    ];
    for (const [name, message] of expectations) {
      const result = await cli(['status', '--config', name]);
      expect(result.code, name).toBe(2);
      expect(result.stderr).toMatch(message);
      expect(result.stderr.trim().split('\n')).toHaveLength(1);
    }
  });

  it('sync without credentials exits 2 naming the missing keys', async () => {
    const result = await cli(['sync', ...googleFlags()], { env: googleEnv() });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(
      /^contacts: Google OAuth credentials are missing from the credential store: GOOGLE_OAUTH_CLIENT_ID, GOOGLE_OAUTH_CLIENT_SECRET, GOOGLE_REFRESH_TOKEN\./,
    );
  });

  it('sync runs a full then an incremental sync against Google, and status shows the result', async () => {
    await seed();
    const live = emulator.admin.people().length;
    const first = await cli(['sync', ...googleFlags()], { env: googleEnv() });
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toMatch(/^Synced google \(default\): full sync, 1 page\(s\) in \d+\.\d s\.\n/);
    expect(first.stdout).toContain(`fetched ${live}, created ${live}, updated 0`);
    emulator.admin.addPerson({ names: [{ givenName: 'Late', familyName: 'Comer' }] });
    const second = await cli(['sync', '--json', ...googleFlags()], { env: googleEnv() });
    expect(JSON.parse(second.stdout)).toMatchObject({
      provider: 'google',
      mode: 'incremental',
      completed: true,
      summary: { fetched: 1, created: 1 },
    });
    const full = await cli(['sync', '--full', '--json', ...googleFlags()], { env: googleEnv() });
    // The provider reports what the engine holds as unchanged: nothing is sent again.
    expect(JSON.parse(full.stdout)).toMatchObject({
      mode: 'full',
      summary: { fetched: 0, unchanged: live + 1 },
    });

    const status = await cli(['status']);
    expect(status.code).toBe(0);
    expect(status.stdout).toMatch(/^FIELD\s+VALUE\n/);
    expect(status.stdout).toMatch(/contacts\s+31\n/);
    expect(status.stdout).toMatch(/cursor\s+present, issued \d+ s ago/);
    const json = JSON.parse((await cli(['status', '--json'])).stdout);
    expect(json).toMatchObject({
      provider: 'google',
      sync_enabled: true,
      contact_count: live + 1,
      last_error: null,
    });
    expect(Object.keys(json)).toEqual([
      'provider',
      'account_id',
      'sync_enabled',
      'running',
      'cursor_present',
      'cursor_age_seconds',
      'cursor_issued_at',
      'last_full_sync_at',
      'last_incremental_sync_at',
      'last_success_at',
      'last_error',
      'contact_count',
      'failed_contacts',
      'held_deletions',
      'next_sync_at',
      'next_full_sync_at',
      'retry_after',
      'consecutive_failures',
      'parked_reason',
    ]);
  });

  it('sync exits 1 with an actionable message when Google refuses the refresh token', async () => {
    await seed();
    emulator.admin.revokeRefreshToken();
    try {
      const result = await cli(['sync', ...googleFlags()], { env: googleEnv() });
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(/^contacts: .*invalid_grant.*dashboard OAuth flow/);
      // The command line's own fix, after the provider's sentence (which is written for hosts).
      expect(result.stderr).toContain(
        'contacts: to authorise again, run `contacts auth google --source google:default`.',
      );
      expect(result.stderr + result.stdout).not.toContain(emulator.credentials.refreshToken);
      expect(result.stderr + result.stdout).not.toContain(emulator.credentials.clientSecret);
    } finally {
      emulator.admin.rotateRefreshToken(emulator.credentials.refreshToken);
    }
  });

  it("honours the schedule another process stored: status shows the next sync, sync waits for a source's retry-after", async () => {
    await seed();
    const store = new ContactsSyncStateStore({ db: t.db, butlerSchema: t.butlerSchema });
    const retryAfter = new Date(Date.now() + 60 * 60_000);
    await store.save('google', 'default', {
      consecutiveFailures: 2,
      nextIncrementalDueAt: retryAfter,
      retryAfter,
    });
    const status = await cli(['status']);
    expect(status.code).toBe(0);
    expect(status.stdout).toMatch(
      new RegExp(
        `next sync\\s+${retryAfter.toISOString().replaceAll('.', '\\.')} \\(retry after 2 failed syncs\\)\n`,
      ),
    );
    expect(JSON.parse((await cli(['status', '--json'])).stdout)).toMatchObject({
      next_sync_at: retryAfter.toISOString(),
      retry_after: retryAfter.toISOString(),
      consecutive_failures: 2,
      parked_reason: null,
    });
    const requests = emulator.admin.requestCount();
    const sync = await cli(['sync', ...googleFlags()], { env: googleEnv() });
    expect(sync.code).toBe(1);
    expect(sync.stderr).toContain(
      `google asked for no requests before ${retryAfter.toISOString()} (rate limit)`,
    );
    expect(emulator.admin.requestCount()).toBe(requests);
  });

  it('sync stops after the page in flight on a signal, exits 1 and says the next sync resumes', async () => {
    const reached = deferred();
    const release = deferred();
    const slow = await startGoogleEmulator({
      people: 5,
      seed: 9,
      sleep: async () => {
        reached.resolve();
        await release.promise;
      },
    });
    try {
      const c = slow.credentials;
      for (const [key, value] of Object.entries({
        GOOGLE_OAUTH_CLIENT_ID: c.clientId,
        GOOGLE_OAUTH_CLIENT_SECRET: c.clientSecret,
        GOOGLE_REFRESH_TOKEN: c.refreshToken,
      })) {
        await cli(['secrets', 'set', key, value]);
      }
      slow.admin.injectFault({ kind: 'slow', delayMs: 1000, endpoint: 'connections' });
      const controller = new AbortController();
      const running = cli(['sync', '--google-root-url', slow.url, '--google-token-url', slow.tokenUrl], {
        signal: controller.signal,
      });
      await reached.promise;
      controller.abort();
      release.resolve();
      const result = await running;
      // A stop is not a failure of the sync: no last_error, an honest summary, exit 1.
      expect(result.code).toBe(1);
      expect(result.stdout).toContain('Interrupted the sync of google (default): full sync, 0 page(s)');
      expect(result.stdout).toContain('The next sync resumes after the last committed page.');
      const status = await cli(['status', '--json']);
      expect(JSON.parse(status.stdout)).toMatchObject({ last_error: null });
    } finally {
      await slow.close();
    }
  });
});
