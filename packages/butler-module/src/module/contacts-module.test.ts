import { ProviderError } from '@contacts/core';
import { MemoryContactsProvider } from '@contacts/core/testing';
import { describeDatabase } from '@contacts/schema/testing';
import { afterEach, expect, it, vi } from 'vitest';
import { ContactsModuleError } from '../errors.js';
import {
  FAKE_CREDENTIALS,
  resultText,
  seedCredentials,
  startModuleHarness,
} from '../test-support/module-harness.js';
import { PageHooks } from '../test-support/page-hooks.js';
import { ContactsModule } from './contacts-module.js';

type Harness = Awaited<ReturnType<typeof startModuleHarness>>;

describeDatabase('ContactsModule', (t) => {
  const open: Harness[] = [];
  afterEach(async () => {
    vi.unstubAllEnvs();
    await Promise.all(open.splice(0).map((h) => h.close()));
  });
  const harness = async (options: Parameters<typeof startModuleHarness>[2] = {}) => {
    const h = await startModuleHarness(t.db, t.butlerSchema, options);
    open.push(h);
    return h;
  };
  const startupError = async (h: Harness) => {
    const error = await h.start().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ContactsModuleError);
    return error as ContactsModuleError;
  };

  it('is named contacts, exposes its config schema and migrates idempotently', async () => {
    const module = new ContactsModule();
    expect(module.name).toBe('contacts');
    expect(ContactsModule.supportedProviders).toEqual(['carddav', 'google']);
    expect(module.configSchema.parse({ provider: 'google' }).sync.interval_minutes).toBe(15);
    expect(await module.migrate(t.db, { butlerSchema: t.butlerSchema })).toMatchObject({ applied: [] });
  });

  // Scenario: Valid contacts config
  it('normalises the provider name and applies the sync defaults', async () => {
    const h = await harness({ config: { provider: '  GoOgle ' } });
    await h.start();
    expect(h.module.config).toEqual({
      provider: 'google',
      account_id: 'default',
      include_other_contacts: false,
      sync: {
        enabled: true,
        run_on_startup: true,
        interval_minutes: 15,
        full_sync_interval_days: 6,
        deletion_guard_percent: 20,
        deletion_guard_min_contacts: 25,
      },
    });
    expect(h.module.runtime?.status().state).toBe('idle');
  });

  // Scenario: Unsupported provider at startup
  it('refuses an unsupported provider at startup, listing the supported ones', async () => {
    for (const provider of ['exchange', 'outlook']) {
      const h = await harness({ config: { provider: ` ${provider.toUpperCase()}` } });
      const error = await startupError(h);
      expect(error).toMatchObject({ name: 'ContactsModuleError', code: 'UNSUPPORTED_PROVIDER' });
      expect(error.message).toBe(
        `Unsupported contacts provider "${provider}" in modules.contacts.provider; supported providers: carddav, google.`,
      );
      expect(h.module.runtime).toBeNull();
    }
  });

  it('refuses an invalid config and an invalid butler schema with INVALID_CONFIG', async () => {
    const bad = await harness({ config: { provider: 'google', sync: { interval_minutes: 0 } } });
    expect(await startupError(bad)).toMatchObject({ code: 'INVALID_CONFIG', message: /interval_minutes/ });
    const schema = await harness({ butlerSchema: 'Bad Schema' });
    expect(await startupError(schema)).toMatchObject({ code: 'INVALID_CONFIG', message: /schema name/ });
    // Issue 11: "public" passed, and the first query failed in drizzle.
    const publicSchema = await harness({ butlerSchema: 'public' });
    expect(await startupError(publicSchema)).toMatchObject({
      code: 'INVALID_CONFIG',
      message: /"public" is the database's default schema/,
    });
    expect(publicSchema.module.runtime).toBeNull();
  });

  // Scenario: Sync disabled
  it('skips the runtime when sync is disabled, logs it, and the tools say the runtime is not running', async () => {
    const h = await harness({ config: { provider: 'google', sync: { enabled: false } }, seed: false });
    await h.start(); // no credentials needed: nothing will sync
    expect(h.module.runtime).toBeNull();
    expect(h.timers.pendingCount).toBe(0);
    expect(h.logger.find('contacts_sync_disabled')).toMatchObject([
      { level: 'info', fields: { provider: 'google', message: expect.stringMatching(/not started/) } },
    ]);
    for (const name of ['contacts_sync_now', 'contacts_source_reconcile']) {
      const result = await h.call(name);
      expect(result.isError).toBe(true);
      expect(resultText(result)).toMatch(/^The contacts sync runtime is not running: sync is disabled/);
      expect(resultText(result)).toMatch(/sync\.enabled = true/);
    }
    // The read-only tools still report, so a person can see why nothing syncs.
    expect((await h.call('contacts_sync_status')).structuredContent).toMatchObject({
      sync_enabled: false,
      running: false,
    });
    expect((await h.call('contacts_source_list')).structuredContent).toMatchObject({
      sources: [{ provider: 'google', sync_enabled: false, status: 'sync_disabled' }],
    });
    expect(h.providers).toHaveLength(0);
  });

  // Scenario: Credentials resolved from credential store
  it('resolves the Google credentials from the credential store and hands them to the provider', async () => {
    const seen: unknown[] = [];
    const h = await harness({
      googleRootUrl: 'http://127.0.0.1:9/',
      googleTokenUrl: 'http://127.0.0.1:9/token',
      providerFactory: (request) => {
        seen.push(request);
        return new MemoryContactsProvider(h.book, { name: 'google' });
      },
    });
    await h.start();
    await h.timers.runNext();
    expect(seen).toMatchObject([
      {
        provider: 'google',
        credentials: {
          clientId: FAKE_CREDENTIALS.GOOGLE_OAUTH_CLIENT_ID,
          clientSecret: FAKE_CREDENTIALS.GOOGLE_OAUTH_CLIENT_SECRET,
          refreshToken: FAKE_CREDENTIALS.GOOGLE_REFRESH_TOKEN,
        },
        googleRootUrl: 'http://127.0.0.1:9/',
        googleTokenUrl: 'http://127.0.0.1:9/token',
      },
    ]);
    expect(h.logger.find('contacts_credentials_resolved')[0]?.fields).toMatchObject({
      keys: ['GOOGLE_OAUTH_CLIENT_ID', 'GOOGLE_OAUTH_CLIENT_SECRET', 'GOOGLE_REFRESH_TOKEN'],
    });
    expect(h.module.runtime?.status()).toMatchObject({ state: 'idle', lastResult: { completed: true } });
  });

  it('fails startup naming the missing keys and the dashboard OAuth flow, never the values', async () => {
    const h = await harness({ seed: false });
    await seedCredentials(h.store, { GOOGLE_OAUTH_CLIENT_ID: FAKE_CREDENTIALS.GOOGLE_OAUTH_CLIENT_ID });
    // An expired secret counts as missing.
    await h.store.set('GOOGLE_OAUTH_CLIENT_SECRET', FAKE_CREDENTIALS.GOOGLE_OAUTH_CLIENT_SECRET, {
      expiresAt: new Date(h.clock.now().getTime() - 1000),
    });
    const error = await startupError(h);
    expect(error.code).toBe('MISSING_CREDENTIALS');
    expect(error.message).toMatch(
      /^Google OAuth credentials are missing from the credential store: GOOGLE_OAUTH_CLIENT_SECRET, GOOGLE_REFRESH_TOKEN\. /,
    );
    expect(error.message).toMatch(/dashboard OAuth flow/);
    expect(error.message).not.toContain(FAKE_CREDENTIALS.GOOGLE_OAUTH_CLIENT_ID);
    expect(h.module.runtime).toBeNull();
  });

  it('never falls back to environment variables for credentials', async () => {
    vi.stubEnv('GOOGLE_OAUTH_CLIENT_ID', 'env-client');
    vi.stubEnv('GOOGLE_OAUTH_CLIENT_SECRET', 'env-secret');
    vi.stubEnv('GOOGLE_REFRESH_TOKEN', 'env-refresh');
    const h = await harness({ seed: false });
    const error = await startupError(h);
    expect(error.code).toBe('MISSING_CREDENTIALS');
    expect(error.message).toContain(
      'GOOGLE_OAUTH_CLIENT_ID, GOOGLE_OAUTH_CLIENT_SECRET, GOOGLE_REFRESH_TOKEN',
    );
  });

  // Scenario: No credential store provided
  it('fails startup without a credential store', async () => {
    vi.stubEnv('GOOGLE_REFRESH_TOKEN', 'env-refresh');
    const h = await harness({ credentialStore: undefined });
    const error = await startupError(h);
    expect(error.code).toBe('CREDENTIAL_STORE_MISSING');
    expect(error.message).toMatch(/environment variables are not used/);
    expect(error.message).toMatch(/dashboard OAuth flow/);
  });

  it('after AUTH_FAILED reports auth_error and recovers once new credentials are stored', async () => {
    const built: string[] = [];
    const h = await harness({
      runtime: { random: () => 0, credentialCheckMs: 30_000 },
      providerFactory: ({ credentials }) => {
        built.push(credentials.refreshToken);
        const hooks = new PageHooks();
        if (credentials.refreshToken === FAKE_CREDENTIALS.GOOGLE_REFRESH_TOKEN) {
          hooks.failures.push(
            new ProviderError(
              'AUTH_FAILED',
              'Google refused the refresh token (invalid_grant). Re-authorise.',
            ),
          );
        }
        return new MemoryContactsProvider(h.book, { name: 'google', onPage: hooks.onPage });
      },
    });
    await h.start();
    await h.timers.runNext();
    const sources = async () => (await h.call('contacts_source_list')).structuredContent;
    expect(await sources()).toMatchObject({
      sources: [{ status: 'auth_error', last_error: /invalid_grant/ }],
    });
    await h.timers.runNext(); // credentials unchanged: no retry
    expect(built).toHaveLength(1);
    await h.store.set('GOOGLE_REFRESH_TOKEN', '1//a-brand-new-refresh-token');
    expect(h.timers.nextDelay()).toBe(30_000);
    await h.timers.runNext();
    expect(built).toEqual([FAKE_CREDENTIALS.GOOGLE_REFRESH_TOKEN, '1//a-brand-new-refresh-token']);
    expect(await sources()).toMatchObject({ sources: [{ status: 'active', last_error: null }] });
  });

  it('keeps secrets out of every log line, error and tool result, even when a provider leaks one', async () => {
    const leak = `token ${FAKE_CREDENTIALS.GOOGLE_REFRESH_TOKEN} refused for client ${FAKE_CREDENTIALS.GOOGLE_OAUTH_CLIENT_SECRET}`;
    const h = await harness({
      providerFactory: () => {
        const hooks = new PageHooks(
          new ProviderError('TEMPORARY', leak),
          new ProviderError('AUTH_FAILED', leak),
        );
        return new MemoryContactsProvider(h.book, { name: 'google', onPage: hooks.onPage });
      },
    });
    await h.start();
    await h.timers.runNext();
    const texts: string[] = [];
    for (const name of [
      'contacts_sync_now',
      'contacts_sync_status',
      'contacts_source_list',
      'contacts_source_reconcile',
    ]) {
      const result = await h.call(name);
      texts.push(JSON.stringify(result));
    }
    const everything = [h.logger.text(), ...texts].join('\n');
    for (const secret of Object.values(FAKE_CREDENTIALS)) expect(everything).not.toContain(secret);
    expect(everything).toContain('[redacted]');
    expect(h.logger.find('contacts_sync_backoff')).toHaveLength(1);
    expect(texts[0]).toMatch(/isError/);
  });

  it('stops the runtime on shutdown, then can start again', async () => {
    const h = await harness();
    await h.start();
    expect(await h.start().catch((e: unknown) => e)).toMatchObject({ code: 'ALREADY_STARTED' });
    const runtime = h.module.runtime;
    await h.module.onShutdown();
    expect(runtime?.status().state).toBe('stopped');
    expect(h.module.runtime).toBeNull();
    await h.module.onShutdown();
    await h.start();
    expect(h.module.runtime?.status().state).toBe('idle');
  });
});
