import { ProviderError } from '@contacts/core';
import { describe, expect, it } from 'vitest';
import { type GoogleProviderOptions, resolveGoogleOptions } from './options.js';

const credentials = {
  clientId: 'client-id',
  clientSecret: 'GOCSPX-very-secret',
  refreshToken: '1//refresh-secret-token',
};

describe('resolveGoogleOptions', () => {
  it('applies the defaults', () => {
    const options = resolveGoogleOptions(credentials);
    expect(options).toMatchObject({
      rootUrl: 'https://people.googleapis.com/',
      tokenUrl: 'https://oauth2.googleapis.com/token',
      includeOtherContacts: false,
      pageSize: 1000,
      retry: { maxAttempts: 6, baseDelayMs: 500, maxDelayMs: 60_000 },
    });
    expect(options.retry.maxTotalMs).toBeUndefined();
    expect(typeof options.sleep).toBe('function');
  });

  it('adds the trailing slash a rootUrl needs', () => {
    expect(resolveGoogleOptions({ ...credentials, rootUrl: 'http://127.0.0.1:4010' }).rootUrl).toBe(
      'http://127.0.0.1:4010/',
    );
  });

  it('names every bad option and never shows a secret', () => {
    const bad = {
      ...credentials,
      clientSecret: '',
      pageSize: 5000,
      tokenUrl: 'ftp://x',
      retry: { maxAttempts: 0 },
      sleep: 'soon',
    } as unknown as GoogleProviderOptions;
    let error: unknown;
    try {
      resolveGoogleOptions(bad);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ProviderError);
    const message = (error as ProviderError).message;
    expect((error as ProviderError).code).toBe('PERMANENT');
    for (const name of ['clientSecret', 'pageSize', 'tokenUrl', 'retry.maxAttempts', 'sleep'])
      expect(message).toContain(name);
    expect(message).not.toContain(credentials.refreshToken);
    expect(message).not.toContain('GOCSPX');
  });

  it('caps a response body at 64 MiB unless told otherwise', () => {
    expect(resolveGoogleOptions(credentials).maxResponseBytes).toBe(64 * 1024 * 1024);
    expect(resolveGoogleOptions({ ...credentials, maxResponseBytes: 1000 }).maxResponseBytes).toBe(1000);
    expect(() => resolveGoogleOptions({ ...credentials, maxResponseBytes: 0 })).toThrow(/maxResponseBytes/);
  });

  it('refuses plain http to a host that is not loopback, naming the option and never the URL (issue 11)', () => {
    const cases = [
      [
        'tokenUrl',
        'http://user:pw-s3cret@token.example/token?key=q-s3cret',
        'the OAuth client secret and refresh token',
      ],
      ['rootUrl', 'http://192.168.1.20:8080/', 'the access token'],
    ] as const;
    for (const [option, url, carries] of cases) {
      let error: unknown;
      try {
        resolveGoogleOptions({ ...credentials, [option]: url });
      } catch (e) {
        error = e;
      }
      expect(error).toMatchObject({ code: 'PERMANENT' });
      expect((error as Error).message).toBe(
        `Invalid Google provider options: ${option}: must be https:// (plain http:// only for a loopback host: localhost, 127.0.0.0/8 or ::1): it receives ${carries}.`,
      );
    }
    for (const url of [
      'http://127.0.0.1:4010/token',
      'http://localhost:4010/token',
      'http://[::1]:4010/token',
    ]) {
      expect(resolveGoogleOptions({ ...credentials, tokenUrl: url, rootUrl: url }).tokenUrl).toBe(url);
    }
  });

  it('refuses a missing refresh token by name', () => {
    const { refreshToken: _omitted, ...rest } = credentials;
    expect(() => resolveGoogleOptions(rest as GoogleProviderOptions)).toThrow(/refreshToken/);
  });
});
