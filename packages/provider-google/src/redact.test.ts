import { ProviderError, silentLogger } from '@contacts/core';
import { describe, expect, it } from 'vitest';
import { callWithRetry } from './call-with-retry.js';
import { redact } from './redact.js';

// Secrets with characters that URL, form and JSON encoding change, so each form is its own case.
const SECRET = 'GOCSPX-s3cr3t/Val+ue=Zq81~xW';
const REFRESH = '1//0eRefr3sh/T0ken+K7c9=d2e4';

describe('redact', () => {
  it('removes the given secrets and anything shaped like a Google token', () => {
    const text =
      'secret GOCSPX-abc123 refresh 1//0gAbCdEfGhIjKlMnOpQrStUv access ya29.a0AfH6SM-xyz Authorization: Bearer abc.def-ghi.jkl-mno';
    const out = redact(text, ['GOCSPX-abc123']);
    expect(out).not.toMatch(/GOCSPX|0gAbCd|ya29|abc\.def/);
    expect(out).toContain('Bearer [redacted]');
  });

  it('leaves ordinary text alone and ignores absent or tiny secrets', () => {
    expect(redact('Sync token is expired.', [null, undefined, 'a'])).toBe('Sync token is expired.');
    for (const text of [
      'Ring Bearer Jones',
      'the bearer of news',
      'due 1//2024-05-01T10:00',
      'ya29 is a word',
    ]) {
      expect(redact(text, [])).toBe(text);
    }
  });

  it('removes a secret whose slashes a JSON writer escaped', () => {
    const escaped = JSON.stringify({ refresh_token: REFRESH }).replaceAll('/', '\\/');
    expect(redact(escaped, [REFRESH])).toBe('{"refresh_token":"[redacted]"}');
  });

  it.each([
    ['as is', SECRET],
    ['percent-encoded', encodeURIComponent(SECRET)],
    [
      'percent-encoded in lower case',
      encodeURIComponent(SECRET).replace(/%[0-9A-F]{2}/g, (m) => m.toLowerCase()),
    ],
    ['form-encoded (~ as %7E)', new URLSearchParams({ s: SECRET }).toString().slice(2)],
    ['encoded twice', encodeURIComponent(encodeURIComponent(SECRET))],
    ['JSON-escaped', JSON.stringify({ s: SECRET })],
  ])('removes a secret %s', (_form, quoted) => {
    const out = redact(`server said: ${quoted} (end)`, [SECRET]);
    expect(out).toContain('[redacted]');
    expect(out).not.toMatch(/s3cr3t/i);
  });

  it('removes a secret inside base64, at any offset: a Basic header, an encoded JSON blob', () => {
    for (const id of ['a', 'ab', 'abc', 'client-id.apps.example']) {
      const basic = `Basic ${Buffer.from(`${id}:${SECRET}`).toString('base64')}`;
      const out = redact(basic, [SECRET]);
      expect(out, id).toContain('[redacted]');
      // What is left of the base64 decodes to no recognisable part of the secret.
      const rest = out.replace('Basic ', '').split('[redacted]').join('');
      expect(Buffer.from(rest, 'base64').toString('latin1'), id).not.toMatch(/s3cr3t/);
    }
    const blob = Buffer.from(JSON.stringify({ token: REFRESH })).toString('base64url');
    expect(redact(blob, [REFRESH])).toContain('[redacted]');
  });

  it('removes a percent-encoded refresh token by its shape, even when not among the known secrets', () => {
    expect(redact(`refresh_token=${encodeURIComponent('1//0eAbCdEfGhIjKlMnOpQrStUv')}&x=1`, [])).toBe(
      'refresh_token=[redacted]&x=1',
    );
  });
});

describe('a text body quoting a secret', () => {
  it('is redacted before it is shortened, so no piece of a secret cut in two survives', async () => {
    // The secret straddles the 200th character, where the message used to be cut before redaction.
    const body = `${'x'.repeat(170)} client_secret=${encodeURIComponent(SECRET)} refresh_token=${REFRESH}`;
    const error = Object.assign(new Error('Request failed with status code 418'), {
      config: {},
      response: { status: 418, data: body, headers: new Headers() },
    });
    const thrown = await callWithRetry(
      async () => {
        throw error;
      },
      { maxAttempts: 1, baseDelayMs: 0, maxDelayMs: 0 },
      { sleep: async () => {}, random: () => 0, clock: { now: () => new Date() }, logger: silentLogger },
      {
        operation: 'people.connections.list',
        usedSyncToken: false,
        redact: (text) => redact(text, [SECRET, REFRESH]),
      },
    ).catch((e: unknown) => e);
    expect(thrown).toBeInstanceOf(ProviderError);
    const everything = JSON.stringify({ message: (thrown as Error).message, cause: (thrown as Error).cause });
    expect(everything).toContain('client_secret=[redacted]');
    expect(everything).not.toMatch(/GOCSPX|s3cr3t|0eRefr3sh/);
  });
});
