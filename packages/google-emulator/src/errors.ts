/**
 * Codes of the errors the emulator's programmatic API throws.
 *
 * @example
 * ```ts
 * const code: EmulatorErrorCode = 'NOT_FOUND';
 * ```
 */
export type EmulatorErrorCode = 'INVALID_OPTIONS' | 'INVALID_INPUT' | 'NOT_FOUND' | 'CLOSED';

/**
 * A typed error of `@contacts/google-emulator`'s programmatic API (admin calls, options): branch on
 * `code`, not on the message. HTTP clients never see it; they get Google's error bodies.
 *
 * @example
 * ```ts
 * try { emulator.admin.updatePerson('people/c1', {}); }
 * catch (e) { if (e instanceof EmulatorError && e.code === 'NOT_FOUND') console.error(e.message); }
 * ```
 */
export class EmulatorError extends Error {
  override readonly name = 'EmulatorError';
  constructor(
    readonly code: EmulatorErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/**
 * A `google.rpc.ErrorInfo` entry of `error.details[]`.
 *
 * @example
 * ```ts
 * const info: GoogleErrorInfo = { '@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason: 'EXPIRED_SYNC_TOKEN', domain: 'googleapis.com' };
 * ```
 */
export interface GoogleErrorInfo {
  '@type': 'type.googleapis.com/google.rpc.ErrorInfo';
  reason: string;
  domain: string;
  metadata?: Record<string, string>;
}

/**
 * The JSON body of a Google API error (`{"error":{code,message,status,details?}}`).
 *
 * @example
 * ```ts
 * const body: GoogleErrorBody = { error: { code: 404, message: 'Requested entity was not found.', status: 'NOT_FOUND' } };
 * ```
 */
export interface GoogleErrorBody {
  error: { code: number; message: string; status: string; details?: GoogleErrorInfo[] };
}

/**
 * The message Google sends with an expired sync token (both the 400 and the older 410 form).
 *
 * @example
 * ```ts
 * if (body.error.message === EXPIRED_SYNC_TOKEN_MESSAGE) fullSync();
 * ```
 */
export const EXPIRED_SYNC_TOKEN_MESSAGE =
  'Sync token is expired. Clear local cache and retry call without the sync token.';

const INVALID_CREDENTIALS_MESSAGE =
  'Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other ' +
  'valid authentication credential. See https://developers.google.com/identity/sign-in/web/devconsole-project.';

/** Google's names of the People API's read quotas: the console title and the `quota_limit` id. */
const QUOTA_LIMITS = {
  user: { title: 'Read requests per minute per user', id: 'ReadRequestsPerMinutePerUser' },
  project: { title: 'Read requests per minute', id: 'ReadRequestsPerMinutePerProject' },
} as const;

function errorInfo(reason: string, metadata?: Record<string, string>): GoogleErrorInfo {
  return {
    '@type': 'type.googleapis.com/google.rpc.ErrorInfo',
    reason,
    domain: 'googleapis.com',
    ...(metadata ? { metadata } : {}),
  };
}

function body(code: number, status: string, message: string, details?: GoogleErrorInfo[]): GoogleErrorBody {
  return { error: { code, message, status, ...(details ? { details } : {}) } };
}

/**
 * Builders of the exact error bodies Google's People API sends, for the emulator's routes and for
 * tests elsewhere that want to compare against them.
 *
 * @example
 * ```ts
 * googleErrors.expiredSyncToken();
 * // { error: { code: 400, message: 'Sync token is expired. ...', status: 'FAILED_PRECONDITION',
 * //   details: [{ '@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason: 'EXPIRED_SYNC_TOKEN', domain: 'googleapis.com' }] } }
 * ```
 */
export const googleErrors = {
  invalidArgument: (message: string): GoogleErrorBody => body(400, 'INVALID_ARGUMENT', message),
  /** The current form: HTTP 400, FAILED_PRECONDITION, ErrorInfo reason EXPIRED_SYNC_TOKEN. */
  expiredSyncToken: (): GoogleErrorBody =>
    body(400, 'FAILED_PRECONDITION', EXPIRED_SYNC_TOKEN_MESSAGE, [errorInfo('EXPIRED_SYNC_TOKEN')]),
  /** The older, documented form some clients still expect: HTTP 410 GONE, no details. */
  syncTokenGone: (): GoogleErrorBody => body(410, 'GONE', EXPIRED_SYNC_TOKEN_MESSAGE),
  /** `reason` is the ErrorInfo reason: CREDENTIALS_MISSING, ACCESS_TOKEN_EXPIRED or ACCESS_TOKEN_TYPE_UNSUPPORTED. */
  unauthenticated: (reason: string): GoogleErrorBody =>
    body(401, 'UNAUTHENTICATED', INVALID_CREDENTIALS_MESSAGE, [
      errorInfo(reason, { service: 'people.googleapis.com' }),
    ]),
  insufficientScopes: (): GoogleErrorBody =>
    body(403, 'PERMISSION_DENIED', 'Request had insufficient authentication scopes.', [
      errorInfo('ACCESS_TOKEN_SCOPE_INSUFFICIENT', { service: 'people.googleapis.com' }),
    ]),
  notFound: (message = 'Requested entity was not found.'): GoogleErrorBody => body(404, 'NOT_FOUND', message),
  rateLimited: (): GoogleErrorBody =>
    body(
      429,
      'RESOURCE_EXHAUSTED',
      "Quota exceeded for quota metric 'Read requests' and limit 'Read requests per minute per user' of service " +
        "'people.googleapis.com' for consumer 'project_number:000000000000'.",
      [
        errorInfo('RATE_LIMIT_EXCEEDED', {
          quota_metric: 'people.googleapis.com/read_requests',
          quota_limit: 'ReadRequestsPerMinutePerUser',
          service: 'people.googleapis.com',
          consumer: 'projects/000000000000',
        }),
      ],
    ),
  /**
   * The 429 of a quota the emulator enforces (`quotas` option): per user (an account) or per
   * project (an OAuth client, all its users together), with the project's number as consumer and
   * the limit's value, as Google's quota errors carry them. `quota_limit` is what tells the two
   * apart: back off the account, or pause every account of the client.
   */
  quotaExceeded: (
    scope: 'user' | 'project',
    projectNumber: string,
    limitPerMinute: number,
  ): GoogleErrorBody =>
    body(
      429,
      'RESOURCE_EXHAUSTED',
      `Quota exceeded for quota metric 'Read requests' and limit '${QUOTA_LIMITS[scope].title}' of service ` +
        `'people.googleapis.com' for consumer 'project_number:${projectNumber}'.`,
      [
        errorInfo('RATE_LIMIT_EXCEEDED', {
          quota_metric: 'people.googleapis.com/read_requests',
          quota_limit: QUOTA_LIMITS[scope].id,
          quota_limit_value: String(limitPerMinute),
          quota_location: 'global',
          service: 'people.googleapis.com',
          consumer: `projects/${projectNumber}`,
        }),
      ],
    ),
  internal: (): GoogleErrorBody => body(500, 'INTERNAL', 'Internal error encountered.'),
  unavailable: (): GoogleErrorBody => body(503, 'UNAVAILABLE', 'The service is currently unavailable.'),
};

/**
 * Thrown inside request handling to answer with a Google error body; the server turns it into
 * the HTTP response. Not exported from the package: HTTP clients see only the body.
 */
export class GoogleHttpError extends Error {
  override readonly name = 'GoogleHttpError';
  constructor(
    readonly status: number,
    readonly body: unknown,
    readonly headers: Record<string, string> = {},
  ) {
    super(typeof body === 'object' && body && 'error' in body ? JSON.stringify(body) : `HTTP ${status}`);
  }

  static of(errorBody: GoogleErrorBody, headers?: Record<string, string>): GoogleHttpError {
    return new GoogleHttpError(errorBody.error.code, errorBody, headers);
  }

  static invalidArgument(message: string): GoogleHttpError {
    return GoogleHttpError.of(googleErrors.invalidArgument(message));
  }
}
