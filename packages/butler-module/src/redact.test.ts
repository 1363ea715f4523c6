import { inspect } from 'node:util';
import { ProviderError } from '@contacts/core';
import { describe, expect, it } from 'vitest';
import { redactError, redactingLogger, SecretRedactor } from './redact.js';
import { CaptureLogger } from './test-support/capture-logger.js';

const SECRET = 'GOCSPX-s3cr3t/Val+ue=Zq81~xW';

function redactor(): SecretRedactor {
  const r = new SecretRedactor();
  r.add([SECRET]);
  return r;
}

describe('SecretRedactor', () => {
  it('blanks a secret in its encoded forms and token shapes it was never told about', () => {
    const r = redactor();
    expect(r.redact(`a=${encodeURIComponent(SECRET)}&b=1`)).toBe('a=[redacted]&b=1');
    expect(r.redact('Authorization: Bearer ya29.a0AfH6SMxyz')).toBe('Authorization: Bearer [redacted]');
    expect(new SecretRedactor().redact('token ya29.a0AfH6SMxyz expired')).toBe('token [redacted] expired');
  });

  it('redacts log fields at any depth instead of passing deep ones on unread', () => {
    let deep: Record<string, unknown> = { secret: SECRET };
    for (let i = 0; i < 12; i += 1) deep = { nested: deep };
    const out = JSON.stringify(redactor().redactValue({ deep, error: new Error(`bad ${SECRET}`) }));
    expect(out).not.toContain('s3cr3t');
    expect(out).toContain('[redacted]');
  });

  it('gives the host logger redacted lines', () => {
    const capture = new CaptureLogger();
    redactingLogger(capture, redactor()).warn(`failed for ${SECRET}`, {
      body: `s=${encodeURIComponent(SECRET)}`,
    });
    expect(capture.text()).not.toContain('s3cr3t');
  });
});

describe('redactError', () => {
  const clean = (text: string) => redactor().redact(text);

  it('returns the error itself when it carries no secret', () => {
    const error = new ProviderError('TEMPORARY', 'Google answered 503.', { cause: { status: 503 } });
    expect(redactError(error, clean)).toBe(error);
  });

  it('scrubs message, stack, cause chain and own properties, keeping class, code and fields', () => {
    const library = Object.assign(new Error(`request failed: client_secret=${encodeURIComponent(SECRET)}`), {
      config: { headers: new Headers({ authorization: 'Bearer ya29.a0AfH6SMxyz' }), data: `s=${SECRET}` },
      extra: new Map([['secret', SECRET]]),
    });
    const error = new ProviderError('RATE_LIMITED', `Unexpected: ${SECRET}`, {
      cause: library,
      retryAfterMs: 5000,
      provider: 'google',
    });
    const out = redactError(error, clean);
    expect(out).not.toBe(error);
    expect(out).toBeInstanceOf(ProviderError);
    expect(out).toMatchObject({
      code: 'RATE_LIMITED',
      retryAfterMs: 5000,
      provider: 'google',
      retryable: true,
    });
    expect(out.message).toBe('Unexpected: [redacted]');
    // A string on Node 20 and 22 alike (Node 22's own `stack` accessor read nothing on the copy).
    expect(out.stack).toEqual(expect.stringContaining('Unexpected: [redacted]'));
    expect(out.stack).not.toContain('s3cr3t');
    const cause = out.cause as typeof library;
    expect(cause).toBeInstanceOf(Error);
    expect(cause.message).toBe('request failed: client_secret=[redacted]');
    expect(cause.config.headers.get('authorization')).toBe('Bearer [redacted]');
    expect(cause.config.data).toBe('s=[redacted]');
    expect(cause.extra.get('secret')).toBe('[redacted]');
    // The original is left as it was: it may still be in use elsewhere.
    expect(error.message).toContain(SECRET);
  });

  it('redacts URLs, queries and bytes by their text, and leaves copies that can still be printed', () => {
    const error = Object.assign(new Error('request failed'), {
      config: {
        url: new URL(`https://oauth2.example/token?refresh_token=${encodeURIComponent(SECRET)}`),
        params: new URLSearchParams({ client_secret: SECRET }),
        body: new TextEncoder().encode(`client_secret=${SECRET}`),
        clean: new URL('https://people.example/v1/people/me/connections'),
      },
    });
    const out = redactError(error, clean) as typeof error;
    expect(out).not.toBe(error);
    const printed = `${inspect(out, { depth: 10 })}${JSON.stringify(out.config)}`;
    expect(printed).not.toContain('s3cr3t');
    expect(String(out.config.url)).toContain('refresh_token=[redacted]');
    // Nothing secret in it: kept as it was.
    expect(out.config.clean).toBe(error.config.clean);
  });

  it('survives cycles', () => {
    const a: Record<string, unknown> = { text: SECRET };
    a.self = a;
    const error = Object.assign(new Error('x'), { a });
    const out = redactError(error, clean) as typeof error;
    expect(out.a.text).toBe('[redacted]');
    expect(out.a.self).toBe(out.a);
  });
});
