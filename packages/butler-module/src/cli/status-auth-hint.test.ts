import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ContactsSyncStateStore } from '@contacts/core';
import { describeDatabase } from '@contacts/schema/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../test-support/cli-harness.js';
import { authCommandFor, needsAuthorisation } from './auth-hint.js';

describe('the auth hint', () => {
  it('names the provider and the source, for any provider', () => {
    expect(authCommandFor('google', 'work')).toBe('contacts auth google --source google:work');
    expect(authCommandFor('carddav', 'default')).toBe('contacts auth carddav --source carddav:default');
  });

  it('is due when parked for auth or when the last error is an auth failure, not otherwise', () => {
    expect(needsAuthorisation({ parkedReason: 'auth', lastErrorCode: null })).toBe(true);
    expect(needsAuthorisation({ parkedReason: null, lastErrorCode: 'AUTH_FAILED' })).toBe(true);
    expect(needsAuthorisation({ parkedReason: null, lastErrorCode: 'TEMPORARY' })).toBe(false);
    expect(needsAuthorisation({ parkedReason: 'disabled', lastErrorCode: null })).toBe(false);
    expect(needsAuthorisation({ parkedReason: null, lastErrorCode: 'SOMETHING_ELSE' })).toBe(false);
  });
});

// Issue 14: `contacts status` on an auth error prints the exact command that fixes it.
describeDatabase('contacts status on an auth error', (t) => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'contacts-auth-hint-'));
    await writeFile(
      join(dir, 'butler.toml'),
      ['[[modules.contacts.sources]]', 'provider = "google"', 'account_id = "home"', ''].join('\n'),
    );
  });
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });
  const cli = (argv: string[]) =>
    runCli([...argv, '--config', 'butler.toml', '--butler-schema', t.butlerSchema], { db: t.db, cwd: dir });
  const store = () => new ContactsSyncStateStore({ db: t.db, butlerSchema: t.butlerSchema });
  const command = 'contacts auth google --source google:home';

  it('says nothing of auth while the source is healthy', async () => {
    expect((await cli(['migrate'])).code).toBe(0);
    const status = await cli(['status']);
    expect(status.code).toBe(0);
    expect(status.stdout).not.toContain('contacts auth');
  });

  it('prints the command after a stored AUTH_FAILED error', async () => {
    await store().save('google', 'home', {
      lastError: 'Google refused the refresh token.',
      lastErrorCode: 'AUTH_FAILED',
    });
    const status = await cli(['status']);
    expect(status.code).toBe(0);
    expect(status.stdout).toContain(`needs new credentials: run \`${command}\`.`);
    const json = await cli(['status', '--json']);
    expect(JSON.parse(json.stdout)).toMatchObject({ account_id: 'home' });
    expect(json.stderr).toContain(command);
  });

  it('prints it as the next step while parked for credentials', async () => {
    await store().save('google', 'home', { lastError: null, lastErrorCode: null, parkedReason: 'auth' });
    const status = await cli(['status']);
    expect(status.stdout).toMatch(
      new RegExp(`next sync\\s+waiting for new credentials \\(run \`${command}\`\\)`),
    );
    expect(status.stdout).toContain(`run \`${command}\`.`);
  });
});
