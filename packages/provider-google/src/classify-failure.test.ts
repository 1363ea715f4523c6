import { googleErrors } from '@contacts/google-emulator';
import { describe, expect, it } from 'vitest';
import { classifyFailure, type FailureContext } from './classify-failure.js';
import { MalformedResponseError, readGoogleFailure } from './google-failure.js';

/** A thrown value shaped like gaxios' GaxiosError (status, data, fetch Headers, request config). */
function httpError(status: number, data: unknown, headers: Record<string, string> = {}) {
  return Object.assign(new Error(typeof data === 'string' ? data : 'request failed'), {
    config: {
      url: 'https://people.googleapis.com/v1/people/me/connections',
      headers: { Authorization: 'Bearer ya29.secret' },
    },
    response: { status, data, headers: new Headers(headers) },
  });
}

const context: FailureContext = {
  operation: 'people.connections.list',
  usedSyncToken: true,
  now: new Date('2026-03-01T12:00:00Z'),
  redact: (text) => text.replaceAll('s3cret-value', '[redacted]'),
};
const classify = (error: unknown, overrides: Partial<FailureContext> = {}) =>
  classifyFailure(readGoogleFailure(error), { ...context, ...overrides });

const expiredBody = {
  error: {
    code: 400,
    message: 'Sync token is expired. Clear local cache and retry call without the sync token.',
    status: 'FAILED_PRECONDITION',
    details: [
      {
        '@type': 'type.googleapis.com/google.rpc.ErrorInfo',
        reason: 'EXPIRED_SYNC_TOKEN',
        domain: 'googleapis.com',
      },
    ],
  },
};

describe('classifyFailure', () => {
  it('recognises an expired sync token by reason, by message, on 400 and 410 (defect 4)', () => {
    expect(classify(httpError(400, expiredBody)).code).toBe('CURSOR_EXPIRED');
    const noReason = { error: { ...expiredBody.error, details: undefined } };
    expect(classify(httpError(400, noReason)).code).toBe('CURSOR_EXPIRED');
    expect(
      classify(httpError(410, { error: { code: 410, message: expiredBody.error.message, status: 'GONE' } }))
        .code,
    ).toBe('CURSOR_EXPIRED');
    expect(classify(httpError(410, { error: { code: 410, message: 'Gone', status: 'GONE' } })).code).toBe(
      'CURSOR_EXPIRED',
    );
    expect(
      classify(
        httpError(400, {
          error: {
            code: 400,
            message: 'Bad',
            status: 'FAILED_PRECONDITION',
            details: expiredBody.error.details,
          },
        }),
      ).code,
    ).toBe('CURSOR_EXPIRED');
  });

  it('treats a sync token refused as invalid like an expired one, but not a refused page token', () => {
    const refused = {
      error: { code: 400, message: 'Invalid syncToken: it is malformed.', status: 'INVALID_ARGUMENT' },
    };
    expect(classify(httpError(400, refused)).code).toBe('CURSOR_EXPIRED');
    expect(classify(httpError(400, refused), { usedSyncToken: false }).code).toBe('PERMANENT');
    const page = {
      error: {
        code: 400,
        message: 'pageToken does not match (syncToken, requestSyncToken).',
        status: 'INVALID_ARGUMENT',
      },
    };
    expect(classify(httpError(400, page)).code).toBe('PERMANENT');
  });

  it('maps invalid_grant to AUTH_FAILED with the dashboard sentence', () => {
    const c = classify(
      httpError(400, { error: 'invalid_grant', error_description: 'Token has been expired or revoked.' }),
      {
        operation: 'oauth2.token',
      },
    );
    expect(c).toMatchObject({ code: 'AUTH_FAILED', retryable: false });
    expect(c.message).toMatch(/re-authorise the Google account through the dashboard OAuth flow/i);
    expect(c.message).toContain('Token has been expired or revoked.');
  });

  it('maps invalid_client to AUTH_FAILED', () => {
    expect(
      classify(httpError(401, { error: 'invalid_client', error_description: 'Unauthorized' })).code,
    ).toBe('AUTH_FAILED');
  });

  it('tells 403 apart: scopes are AUTH_FAILED, quota is RATE_LIMITED, anything else PERMANENT', () => {
    const scopes = {
      error: {
        code: 403,
        message: 'Request had insufficient authentication scopes.',
        status: 'PERMISSION_DENIED',
        details: [
          { '@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason: 'ACCESS_TOKEN_SCOPE_INSUFFICIENT' },
        ],
      },
    };
    expect(classify(httpError(403, scopes)).code).toBe('AUTH_FAILED');
    const quota = {
      error: {
        code: 403,
        message: 'Quota exceeded',
        status: 'PERMISSION_DENIED',
        errors: [{ reason: 'userRateLimitExceeded' }],
      },
    };
    expect(classify(httpError(403, quota))).toMatchObject({ code: 'RATE_LIMITED', retryable: true });
    expect(classify(httpError(403, { error: { code: 403, message: 'Forbidden' } })).code).toBe('PERMANENT');
  });

  it('maps 401 to AUTH_FAILED, 429 to retryable RATE_LIMITED with Retry-After', () => {
    expect(
      classify(
        httpError(401, { error: { code: 401, message: 'Invalid credentials', status: 'UNAUTHENTICATED' } }),
      ).code,
    ).toBe('AUTH_FAILED');
    expect(
      classify(
        httpError(
          429,
          { error: { code: 429, message: 'Quota', status: 'RESOURCE_EXHAUSTED' } },
          { 'Retry-After': '2' },
        ),
      ),
    ).toMatchObject({ code: 'RATE_LIMITED', retryable: true, retryAfterMs: 2000 });
  });

  it("reads a 429's scope from ErrorInfo quota_limit: per project returns at once, per user retries", () => {
    const project = classify(httpError(429, googleErrors.quotaExceeded('project', '123456789012', 600)));
    expect(project).toMatchObject({ code: 'RATE_LIMITED', rateLimitScope: 'project', retryable: false });
    expect(project.message).toContain('project-wide');
    const user = classify(httpError(429, googleErrors.quotaExceeded('user', '123456789012', 90)));
    expect(user).toMatchObject({ code: 'RATE_LIMITED', rateLimitScope: 'user', retryable: true });
    const legacy = {
      error: {
        code: 403,
        message: 'User Rate Limit Exceeded',
        errors: [{ reason: 'userRateLimitExceeded' }],
      },
    };
    expect(classify(httpError(403, legacy))).toMatchObject({ code: 'RATE_LIMITED', rateLimitScope: 'user' });
    const unsaid = classify(
      httpError(429, { error: { code: 429, message: 'Quota', status: 'RESOURCE_EXHAUSTED' } }),
    );
    expect(unsaid).toMatchObject({ code: 'RATE_LIMITED', retryable: true });
    expect(unsaid.rateLimitScope).toBeUndefined();
  });

  it('retries 5xx (even with an HTML body), 408, network errors and malformed bodies as TEMPORARY', () => {
    expect(classify(httpError(503, '<html>Service Unavailable</html>'))).toMatchObject({
      code: 'TEMPORARY',
      retryable: true,
    });
    expect(classify(httpError(408, ''))).toMatchObject({ code: 'TEMPORARY', retryable: true });
    const reset = Object.assign(new Error('request to people failed'), {
      config: {},
      cause: Object.assign(new TypeError('fetch failed'), {
        cause: Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }),
      }),
    });
    expect(classify(reset)).toMatchObject({ code: 'TEMPORARY', retryable: true });
    expect(classify(reset).message).toContain('ECONNRESET');
    expect(classify(new MalformedResponseError('the body is not a JSON object'))).toMatchObject({
      code: 'TEMPORARY',
      retryable: true,
    });
  });

  it('says a request timed out, and after how long, instead of "could not reach Google (AbortError)"', () => {
    // What gaxios throws when its `timeout` aborts the fetch: the DOMException is the cause.
    for (const name of ['AbortError', 'TimeoutError']) {
      const timedOut = Object.assign(new Error('The operation was aborted.'), {
        config: {},
        cause: new DOMException('The operation was aborted.', name),
      });
      const c = classify(timedOut, { timeoutMs: 300 });
      expect(c).toMatchObject({ code: 'TEMPORARY', retryable: true });
      expect(c.message).toBe(
        'Google did not answer people.connections.list within 300 ms: the request timed out.',
      );
    }
  });

  it('maps other 4xx to PERMANENT and an unknown thrown value to TEMPORARY without retrying', () => {
    expect(
      classify(
        httpError(400, {
          error: { code: 400, message: 'Invalid personFields mask path', status: 'INVALID_ARGUMENT' },
        }),
      ),
    ).toMatchObject({
      code: 'PERMANENT',
      retryable: false,
    });
    expect(classify(new TypeError('x is not a function'))).toMatchObject({
      code: 'TEMPORARY',
      retryable: false,
    });
  });

  it('says a 400 INVALID_ARGUMENT on a page-token call refused the page token (PAGE_TOKEN_REFUSED)', () => {
    const invalid = httpError(400, {
      error: { code: 400, message: 'Request contains an invalid argument.', status: 'INVALID_ARGUMENT' },
    });
    expect(classify(invalid, { usedPageToken: true, usedSyncToken: false })).toEqual({
      code: 'PAGE_TOKEN_REFUSED',
      message:
        'Google no longer accepts the page token of people.connections.list (HTTP 400, INVALID_ARGUMENT: Request contains an invalid argument.): the listing must start over from its first page.',
      retryable: false,
      retryAfterMs: null,
    });
    // With a sync token too (an incremental page): still the page token, not the cursor.
    expect(classify(invalid, { usedPageToken: true }).code).toBe('PAGE_TOKEN_REFUSED');
    // An expired sync token on a later page stays CURSOR_EXPIRED.
    expect(classify(httpError(400, expiredBody), { usedPageToken: true }).code).toBe('CURSOR_EXPIRED');
    // Without a page token, a 400 is a plain rejection.
    expect(classify(invalid).message).toMatch(/^Google rejected people\.connections\.list with HTTP 400/);
  });

  it('redacts server text before it reaches a message', () => {
    const c = classify(
      httpError(400, { error: { code: 400, message: 'bad token s3cret-value', status: 'INVALID_ARGUMENT' } }),
    );
    expect(c.message).not.toContain('s3cret-value');
  });
});
