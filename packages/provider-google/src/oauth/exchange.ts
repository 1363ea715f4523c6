import { credentialKey } from '@contacts/core';
import { z } from 'zod';
import { GOOGLE_TOKEN_URL } from '../google-fields.js';

/**
 * Why a consent did not end in a refresh token: `access_denied` (the person pressed Deny),
 * `state_mismatch` (a callback this consent did not start), `no_refresh_token`, or Google's OAuth
 * error (`invalid_grant`, `invalid_client`, `redirect_uri_mismatch`...). Messages never hold a
 * code, a secret or a token.
 *
 * @example
 * ```ts
 * try { await exchangeGoogleCode(request); }
 * catch (error) { if (error instanceof GoogleAuthorizationError && error.reason === 'invalid_grant') restart(); }
 * ```
 */
export class GoogleAuthorizationError extends Error {
  override readonly name = 'GoogleAuthorizationError';
  constructor(
    readonly reason: string,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Reads the callback Google redirected to (its full URL, or its query): the authorization code,
 * after checking `state` against the one the consent was made with.
 *
 * @example
 * ```ts
 * const code = readGoogleCallback(new URL(req.url, 'https://crm.example'), session.googleConsent.state);
 * ```
 */
export function readGoogleCallback(callback: URL | URLSearchParams, expectedState: string): string {
  const params = callback instanceof URL ? callback.searchParams : callback;
  if (params.get('state') !== expectedState) {
    throw new GoogleAuthorizationError(
      'state_mismatch',
      'The callback does not belong to this consent (its state differs): start again.',
    );
  }
  const error = params.get('error');
  if (error) {
    throw new GoogleAuthorizationError(
      error,
      error === 'access_denied' ? 'The Google account did not allow access.' : `Google answered ${error}.`,
    );
  }
  const code = params.get('code');
  if (!code)
    throw new GoogleAuthorizationError('invalid_request', 'The callback carries no authorization code.');
  return code;
}

/** What {@link exchangeGoogleCode} needs. */
export interface GoogleCodeExchange {
  clientId: string;
  clientSecret: string;
  code: string;
  /** The verifier of the consent this code came from. */
  codeVerifier: string;
  /** The redirect URI the consent URL named, exactly. */
  redirectUri: string;
  /** The token endpoint (default Google's; an emulator's `tokenUrl` in tests). */
  tokenUrl?: string;
  fetch?: typeof fetch;
  signal?: AbortSignal;
}

/**
 * What the exchange yields: the refresh token to store and the scopes the person granted (they
 * may untick one).
 *
 * @example
 * ```ts
 * const { refreshToken, scopes }: GoogleGrant = await exchangeGoogleCode(request);
 * ```
 */
export interface GoogleGrant {
  refreshToken: string;
  scopes: string[];
}

const grantSchema = z.object({ refresh_token: z.string().min(1).optional(), scope: z.string().default('') });
const errorSchema = z.object({ error: z.string(), error_description: z.string().optional() });

/**
 * Exchanges the authorization code on the host's redirect URI (the authorization-code grant with
 * the PKCE verifier) for a refresh token.
 *
 * @example
 * ```ts
 * const grant = await exchangeGoogleCode({
 *   clientId, clientSecret, code, codeVerifier: session.googleConsent.codeVerifier,
 *   redirectUri: 'https://crm.example/oauth/google/callback',
 * });
 * ```
 */
export async function exchangeGoogleCode(request: GoogleCodeExchange): Promise<GoogleGrant> {
  const doFetch = request.fetch ?? fetch;
  const response = await doFetch(request.tokenUrl ?? GOOGLE_TOKEN_URL, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      client_id: request.clientId,
      client_secret: request.clientSecret,
      code: request.code,
      code_verifier: request.codeVerifier,
      redirect_uri: request.redirectUri,
    }).toString(),
    ...(request.signal ? { signal: request.signal } : {}),
  });
  let body: unknown;
  try {
    body = await response.json();
  } catch {
    body = undefined;
  }
  if (!response.ok) {
    const failure = errorSchema.safeParse(body);
    const reason = failure.success ? failure.data.error : `http_${response.status}`;
    // Google's descriptions are fixed sentences ("Bad Request", "Malformed auth code."): no secret.
    const detail =
      failure.success && failure.data.error_description ? `: ${failure.data.error_description}` : '';
    throw new GoogleAuthorizationError(
      reason,
      `The token endpoint refused the code (HTTP ${response.status} ${reason}${detail}).`,
    );
  }
  const grant = grantSchema.safeParse(body);
  if (!grant.success || !grant.data.refresh_token) {
    throw new GoogleAuthorizationError(
      'no_refresh_token',
      'The token endpoint granted no refresh token: the consent must ask for offline access (access_type=offline, prompt=consent).',
    );
  }
  return { refreshToken: grant.data.refresh_token, scopes: grant.data.scope.split(/\s+/).filter(Boolean) };
}

/**
 * The credential-store entries of one Google account: client id, client secret and refresh token
 * under the keys the provider reads (`KEY@account` for an account other than `default`).
 *
 * @example
 * ```ts
 * for (const { key, value } of googleCredentialEntries({ accountId: 'work', clientId, clientSecret, refreshToken })) {
 *   await credentialStore.set(key, value, { category: 'google' });
 * }
 * // keys: GOOGLE_OAUTH_CLIENT_ID@work, GOOGLE_OAUTH_CLIENT_SECRET@work, GOOGLE_REFRESH_TOKEN@work
 * ```
 */
export function googleCredentialEntries(account: {
  accountId: string;
  clientId: string;
  clientSecret: string;
  refreshToken: string;
}): { key: string; value: string }[] {
  return [
    { key: credentialKey('GOOGLE_OAUTH_CLIENT_ID', account.accountId), value: account.clientId },
    { key: credentialKey('GOOGLE_OAUTH_CLIENT_SECRET', account.accountId), value: account.clientSecret },
    { key: credentialKey('GOOGLE_REFRESH_TOKEN', account.accountId), value: account.refreshToken },
  ];
}
