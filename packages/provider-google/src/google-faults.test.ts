import { CanonicalContact, ProviderError } from '@contacts/core';
import type { GoogleEmulator } from '@contacts/google-emulator';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { failureOf, type LogLine, startEmulator, syncPages, testProvider } from './test-support.js';

/** No secret, and nothing shaped like an access or refresh token, in a message, a cause or a log. */
function expectNoSecret(emulator: GoogleEmulator, ...values: unknown[]) {
  const text = JSON.stringify(values, (_key, value) =>
    value instanceof Error ? { message: value.message, cause: value.cause } : value,
  );
  const { clientSecret, refreshToken } = emulator.credentials;
  expect(text).not.toContain(clientSecret);
  expect(text).not.toContain(refreshToken);
  expect(text).not.toMatch(/ya29\.|1\/\/0e|GOCSPX-/);
}

describe('GoogleContactsProvider over HTTP: failures', () => {
  let emulator: GoogleEmulator;
  let cursor: string;
  beforeAll(async () => {
    emulator = await startEmulator({ people: 25, otherContacts: 0 });
    cursor = (await syncPages(testProvider(emulator).provider)).at(-1)?.next_sync_cursor as string;
    emulator.admin.resetRequests();
  });
  afterEach(() => {
    emulator.admin.clearFaults();
    emulator.admin.resetRequests();
  });
  afterAll(() => emulator.close());

  describe('expired cursor (defect 4: only 410 was handled, Google sends 400)', () => {
    it('maps 400 FAILED_PRECONDITION / EXPIRED_SYNC_TOKEN to CURSOR_EXPIRED', async () => {
      emulator.admin.injectFault({
        kind: 'expiredSyncToken',
        endpoint: 'connections',
        when: 'withSyncToken',
      });
      const error = await failureOf(testProvider(emulator).provider.incrementalSync({ cursor }));
      expect(error).toBeInstanceOf(ProviderError);
      expect(error).toMatchObject({ code: 'CURSOR_EXPIRED', provider: 'google' });
      expect(emulator.admin.requestCount('connections')).toBe(1);
    });

    it('maps the older 410 GONE form to CURSOR_EXPIRED', async () => {
      emulator.admin.injectFault({ kind: 'syncTokenGone', endpoint: 'connections', when: 'withSyncToken' });
      const error = await failureOf(testProvider(emulator).provider.incrementalSync({ cursor }));
      expect(error).toMatchObject({ code: 'CURSOR_EXPIRED' });
    });

    it('maps a sync token past its 7 days to CURSOR_EXPIRED', async () => {
      const local = await startEmulator({ people: 5, otherContacts: 0 });
      try {
        const { provider } = testProvider(local);
        const old = (await syncPages(provider)).at(-1)?.next_sync_cursor as string;
        local.admin.advanceClock(7 * 24 * 3600 * 1000 + 1);
        await expect(provider.incrementalSync({ cursor: old })).rejects.toMatchObject({
          code: 'CURSOR_EXPIRED',
        });
      } finally {
        await local.close();
      }
    });
  });

  describe('retries (defect 5: no backoff on 429/5xx)', () => {
    it('rides out a storm of 4 x 429 with Retry-After: 2, never waiting less than asked', async () => {
      emulator.admin.injectFault({
        kind: 'rateLimit',
        endpoint: 'connections',
        retryAfterSeconds: 2,
        times: 4,
      });
      const { provider, waits } = testProvider(emulator);
      const pages = await syncPages(provider);
      expect(pages.flatMap((p) => p.contacts)).toHaveLength(25);
      expect(waits).toHaveLength(4);
      for (const wait of waits) expect(wait).toBeGreaterThanOrEqual(2000);
      expect(emulator.admin.requestCount('connections')).toBe(5);
    });

    it('retries a 500, then succeeds', async () => {
      emulator.admin.injectFault({ kind: 'serverError', status: 500, endpoint: 'connections' });
      const { provider, waits } = testProvider(emulator);
      expect((await syncPages(provider)).flatMap((p) => p.contacts)).toHaveLength(25);
      expect(waits).toHaveLength(1);
    });

    it('retries a 503 on the token endpoint, then succeeds', async () => {
      emulator.admin.injectFault({ kind: 'serverError', status: 503, endpoint: 'token' });
      const { provider, waits } = testProvider(emulator);
      await provider.validateCredentials();
      expect(waits).toHaveLength(1);
      expect(emulator.admin.requestCount('token')).toBe(2);
    });

    it('retries a malformed token answer, and names it when it lasts', async () => {
      emulator.admin.injectFault({ kind: 'malformed', endpoint: 'token' });
      const once = testProvider(emulator);
      await once.provider.validateCredentials();
      expect(once.waits).toHaveLength(1);

      emulator.admin.injectFault({ kind: 'malformed', endpoint: 'token', times: 50 });
      const { provider, logs } = testProvider(emulator, { retry: { maxAttempts: 3 } });
      const error = await failureOf(provider.validateCredentials());
      emulator.admin.clearFaults();
      expect(error).toMatchObject({ code: 'TEMPORARY' });
      expect((error as Error).message).toMatch(
        /^Google's token endpoint answered something that is not a token response \(during oauth2\.token\)\. Gave up/,
      );
      expectNoSecret(emulator, error, logs);
    });

    it('retries a malformed 200 body instead of taking it for an empty last page', async () => {
      emulator.admin.injectFault({ kind: 'malformed', endpoint: 'connections', times: 2 });
      const { provider, waits } = testProvider(emulator);
      const contacts = (await syncPages(provider)).flatMap((p) =>
        p.contacts.map((c) => CanonicalContact.parse(c)),
      );
      expect(contacts).toHaveLength(25);
      expect(waits).toHaveLength(2);
    });

    it('retries a request that times out', async () => {
      const { provider, waits } = testProvider(emulator, { requestTimeoutMs: 50 });
      // A warm-up first: the token refresh and the first requests of a client take more than 50 ms
      // on a loaded machine, and more on Node 22 than on 20 (its retry then timed out too, two
      // waits): only the slow request may miss the deadline here.
      await provider.listGroups();
      waits.length = 0;
      emulator.admin.injectFault({ kind: 'slow', endpoint: 'contactGroups', delayMs: 5_000 });
      expect(await provider.listGroups()).not.toHaveLength(0);
      expect(waits).toHaveLength(1);
    });

    it('gives up on a storm beyond the bound with RATE_LIMITED and retryAfterMs', async () => {
      emulator.admin.injectFault({
        kind: 'rateLimit',
        endpoint: 'connections',
        retryAfterSeconds: 2,
        times: 20,
      });
      const { provider, waits, logs } = testProvider(emulator, { retry: { maxAttempts: 4 } });
      const error = await failureOf(provider.fullSync({}));
      expect(error).toBeInstanceOf(ProviderError);
      expect(error).toMatchObject({ code: 'RATE_LIMITED', retryAfterMs: 2000, provider: 'google' });
      expect((error as Error).message).toMatch(/quota/i);
      expect(waits).toEqual([2000, 2000, 2000]);
      expect(emulator.admin.requestCount('connections')).toBe(4);
      expect(logs.filter((l: LogLine) => l.level === 'warn')).toHaveLength(3);
      expectNoSecret(emulator, error, logs);
    });

    it('stops at maxTotalMs on the injected clock', async () => {
      emulator.admin.injectFault({ kind: 'serverError', status: 503, endpoint: 'connections', times: 20 });
      const { provider, waits } = testProvider(emulator, { retry: { maxTotalMs: 1_000 } });
      await expect(provider.fullSync({})).rejects.toMatchObject({ code: 'TEMPORARY' });
      // It did retry, and stopped within the budget.
      expect(waits.length).toBeGreaterThanOrEqual(1);
      expect(emulator.admin.requestCount('connections')).toBeGreaterThan(1);
      expect(waits.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(1_000);
    });
  });

  describe('authorisation', () => {
    it('maps invalid_grant to AUTH_FAILED with the dashboard sentence and no secret', async () => {
      const local = await startEmulator({ people: 5, otherContacts: 0 });
      try {
        const { provider, logs } = testProvider(local);
        local.admin.revokeRefreshToken();
        const error = await failureOf(provider.validateCredentials());
        expect(error).toBeInstanceOf(ProviderError);
        expect(error).toMatchObject({ code: 'AUTH_FAILED', provider: 'google' });
        expect((error as Error).message).toMatch(/invalid_grant/);
        expect((error as Error).message).toMatch(
          /re-authorise the Google account through the dashboard OAuth flow/i,
        );
        expect(local.admin.requestCount('token')).toBe(1);
        expectNoSecret(local, error, logs);
      } finally {
        await local.close();
      }
    });

    it('notices a refresh token revoked in the middle of a sync: AUTH_FAILED, not a silent retry loop', async () => {
      const local = await startEmulator({ people: 30, otherContacts: 0 });
      try {
        const { provider, logs, waits } = testProvider(local, { pageSize: 10 });
        const first = await provider.fullSync({});
        local.admin.revokeRefreshToken();
        const error = await failureOf(provider.fullSync({ pageToken: first.next_page_token }));
        expect(error).toMatchObject({ code: 'AUTH_FAILED' });
        expect((error as Error).message).toMatch(/dashboard OAuth flow/);
        expect(waits).toEqual([]);
        expectNoSecret(local, error, logs);
      } finally {
        await local.close();
      }
    });

    it('refreshes once when only the access token was revoked, and goes on', async () => {
      const { provider } = testProvider(emulator);
      await provider.validateCredentials();
      emulator.admin.revokeAccessTokens();
      expect((await syncPages(provider)).flatMap((p) => p.contacts)).toHaveLength(25);
      expect(emulator.admin.requestCount('token')).toBe(2);
    });

    it('maps a wrong client secret to AUTH_FAILED without echoing it', async () => {
      const { provider } = testProvider(emulator, { clientSecret: 'GOCSPX-wrong-secret-value' });
      const error = await failureOf(provider.validateCredentials());
      expect(error).toMatchObject({ code: 'AUTH_FAILED' });
      expect(JSON.stringify({ m: (error as Error).message, c: (error as Error).cause })).not.toContain(
        'wrong-secret',
      );
    });

    it('maps missing scopes (403 PERMISSION_DENIED) to AUTH_FAILED', async () => {
      const local = await startEmulator({
        people: 5,
        otherContacts: 0,
        scopes: ['https://www.googleapis.com/auth/contacts.readonly'],
      });
      try {
        const { provider } = testProvider(local, { includeOtherContacts: true });
        const error = await failureOf(provider.validateCredentials());
        expect(error).toMatchObject({ code: 'AUTH_FAILED' });
        expect((error as Error).message).toMatch(/403/);
      } finally {
        await local.close();
      }
    });
  });

  it('fails every call of a closed provider with a ProviderError; closing twice is fine', async () => {
    const { provider } = testProvider(emulator);
    await provider.close();
    await provider.close();
    await expect(provider.fullSync({})).rejects.toBeInstanceOf(ProviderError);
  });
});
