import { createHash, randomBytes } from 'node:crypto';
import type { Clock } from './clock.js';
import type { ConsentFlow } from './consent.js';
import { EmulatorError, GoogleHttpError, googleErrors } from './errors.js';

/**
 * The OAuth client and refresh token a client of the emulator uses (what a real app would keep
 * as `client_id`, `client_secret` and the user's refresh token).
 *
 * @example
 * ```ts
 * const { clientId, clientSecret, refreshToken }: EmulatorCredentials = emulator.credentials;
 * ```
 */
export interface EmulatorCredentials {
  clientId: string;
  clientSecret: string;
  refreshToken: string;
}

/**
 * An access token as the token endpoint grants it; `expiresAt` is on the emulator clock.
 *
 * @example
 * ```ts
 * const grant: AccessTokenGrant = emulator.admin.issueAccessToken();
 * await fetch(`${emulator.url}v1/contactGroups`, { headers: { authorization: `Bearer ${grant.accessToken}` } });
 * ```
 */
export interface AccessTokenGrant {
  accessToken: string;
  expiresIn: number;
  expiresAt: number;
  scope: string;
}

/**
 * The OAuth scopes the emulator checks: connections and groups need `contacts` or
 * `contacts.readonly`; other contacts need `contacts.other.readonly`. `DEFAULT_SCOPES` (what
 * tokens get unless `scopes` is given) are the two read-only ones.
 *
 * @example
 * ```ts
 * // An app that forgot the other-contacts scope: otherContacts.list answers 403.
 * const emulator = await startGoogleEmulator({ scopes: [CONTACTS_READONLY_SCOPE] });
 * ```
 */
export const CONTACTS_READONLY_SCOPE = 'https://www.googleapis.com/auth/contacts.readonly';
/** See {@link CONTACTS_READONLY_SCOPE}. @example `startGoogleEmulator({ scopes: [CONTACTS_SCOPE] })` */
export const CONTACTS_SCOPE = 'https://www.googleapis.com/auth/contacts';
/** See {@link CONTACTS_READONLY_SCOPE}. @example `startGoogleEmulator({ scopes: [OTHER_CONTACTS_READONLY_SCOPE] })` */
export const OTHER_CONTACTS_READONLY_SCOPE = 'https://www.googleapis.com/auth/contacts.other.readonly';
/** See {@link CONTACTS_READONLY_SCOPE}. @example `startGoogleEmulator({ scopes: [...DEFAULT_SCOPES, CONTACTS_SCOPE] })` */
export const DEFAULT_SCOPES: readonly string[] = [CONTACTS_READONLY_SCOPE, OTHER_CONTACTS_READONLY_SCOPE];

const digest = (text: string, length: number): string =>
  createHash('sha256').update(text).digest('base64url').replace(/[-_]/g, 'x').slice(0, length);

/**
 * How the emulator's own OAuth client ids end (whatever the seed): what tells its credentials
 * from a real account's, e.g. for a demo that must not take them for one.
 *
 * @example
 * ```ts
 * emulator.credentials.clientId.endsWith(EMULATOR_CLIENT_ID_SUFFIX); // true
 * ```
 */
export const EMULATOR_CLIENT_ID_SUFFIX = '-emulator.apps.googleusercontent.com';

/**
 * Whether an OAuth client id is one the emulator made (a seed's default credentials).
 *
 * @example
 * ```ts
 * isEmulatorClientId('0a1b2c3d4e5f-emulator.apps.googleusercontent.com'); // true
 * isEmulatorClientId('1234-abc.apps.googleusercontent.com'); // false
 * ```
 */
export function isEmulatorClientId(clientId: string): boolean {
  return clientId.trim().endsWith(EMULATOR_CLIENT_ID_SUFFIX);
}

/** Deterministic test credentials for a seed: same seed, same values, every run. */
export function defaultCredentials(seed: number): EmulatorCredentials {
  return {
    clientId: `${digest(`client:${seed}`, 12).toLowerCase()}${EMULATOR_CLIENT_ID_SUFFIX}`,
    clientSecret: `GOCSPX-${digest(`secret:${seed}`, 28)}`,
    refreshToken: `1//0e${digest(`refresh:${seed}:0`, 40)}`,
  };
}

interface IssuedToken {
  expiresAt: number;
  refreshToken: string;
  scopes: readonly string[];
}

const MINTED_LIMIT = 10_000;

const oauthError = (status: number, error: string, description: string) => ({
  status,
  body: { error, error_description: description },
});

/** The emulator's OAuth state: the client, the one valid refresh token, issued access tokens. */
export class OAuthState {
  private current: EmulatorCredentials;
  private readonly accessTokens = new Map<string, IssuedToken>();
  /** Every access token minted, newest last (bounded): what tests search their output for. */
  private readonly minted: string[] = [];
  private revoked = false;
  /** Refresh tokens the authorization-code grant issued, with their consented scopes. */
  private readonly granted = new Map<string, readonly string[]>();
  private rotations = 0;

  constructor(
    private readonly seed: number,
    credentials: EmulatorCredentials,
    private readonly scopes: readonly string[],
    private readonly ttlSeconds: number,
    private readonly clock: Clock,
  ) {
    this.current = { ...credentials };
  }

  get credentials(): EmulatorCredentials {
    return { ...this.current };
  }

  /**
   * `POST /token`: the `refresh_token` grant, and the `authorization_code` grant (PKCE) when a
   * consent flow is given; answers exactly as Google's endpoint does.
   */
  exchange(
    form: URLSearchParams,
    authorization: string | undefined,
    consent?: ConsentFlow,
  ): { status: number; body: unknown } {
    let clientId = form.get('client_id') ?? undefined;
    let clientSecret = form.get('client_secret') ?? undefined;
    const basic = /^Basic\s+(.+)$/i.exec(authorization ?? '');
    if (basic?.[1]) {
      const [id, ...secret] = Buffer.from(basic[1], 'base64').toString('utf8').split(':');
      clientId = decodeURIComponent(id ?? '');
      clientSecret = decodeURIComponent(secret.join(':'));
    }
    const grantType = form.get('grant_type') ?? '';
    const codeGrant = grantType === 'authorization_code' && consent !== undefined;
    if (grantType !== 'refresh_token' && !codeGrant) {
      return oauthError(400, 'unsupported_grant_type', `Invalid grant_type: ${grantType}`);
    }
    if (clientId !== this.current.clientId)
      return oauthError(401, 'invalid_client', 'The OAuth client was not found.');
    if (clientSecret !== this.current.clientSecret) return oauthError(401, 'invalid_client', 'Unauthorized');
    if (codeGrant) {
      const redeemed = consent.redeem(form, clientId);
      if ('error' in redeemed) return redeemed.error;
      const scopes = this.scopes.filter((scope) => redeemed.scopes.includes(scope));
      const refreshToken = `1//0e${randomBytes(30).toString('base64url')}`;
      this.granted.set(refreshToken, scopes);
      const grant = this.issueAccessToken({ refreshToken, scopes });
      return {
        status: 200,
        body: {
          access_token: grant.accessToken,
          expires_in: grant.expiresIn,
          refresh_token: refreshToken,
          scope: grant.scope,
          token_type: 'Bearer',
        },
      };
    }
    const refreshToken = form.get('refresh_token');
    if (!refreshToken) return oauthError(400, 'invalid_request', 'Missing required parameter: refresh_token');
    const grantedScopes = this.granted.get(refreshToken);
    if (!grantedScopes && (this.revoked || refreshToken !== this.current.refreshToken)) {
      return oauthError(400, 'invalid_grant', 'Token has been expired or revoked.');
    }
    const grant = this.issueAccessToken(grantedScopes ? { refreshToken, scopes: grantedScopes } : undefined);
    return {
      status: 200,
      body: {
        access_token: grant.accessToken,
        expires_in: grant.expiresIn,
        scope: grant.scope,
        token_type: 'Bearer',
      },
    };
  }

  /**
   * Mints an access token for the configured refresh token, or for `from` (a refresh token an
   * authorization-code grant issued, with the scopes the person consented to).
   */
  issueAccessToken(from?: { refreshToken: string; scopes: readonly string[] }): AccessTokenGrant {
    if (this.revoked && !from)
      throw new EmulatorError('INVALID_INPUT', 'The refresh token is revoked: rotate it first.');
    const now = this.clock.now();
    if (this.accessTokens.size > 1000) {
      for (const [token, issued] of this.accessTokens)
        if (issued.expiresAt <= now) this.accessTokens.delete(token);
    }
    const accessToken = `ya29.${randomBytes(48).toString('base64url')}`;
    this.minted.push(accessToken);
    if (this.minted.length > MINTED_LIMIT) this.minted.splice(0, this.minted.length - MINTED_LIMIT);
    const expiresAt = now + this.ttlSeconds * 1000;
    const scopes = from?.scopes ?? this.scopes;
    this.accessTokens.set(accessToken, {
      expiresAt,
      refreshToken: from?.refreshToken ?? this.current.refreshToken,
      scopes,
    });
    return { accessToken, expiresIn: this.ttlSeconds, expiresAt, scope: scopes.join(' ') };
  }

  /**
   * Checks a request's bearer token (header, or the `access_token` query parameter Google also
   * accepts) and that it carries one of `anyOfScopes`; throws the 401/403 Google would send.
   */
  authorize(header: string | undefined, queryToken: string | null, anyOfScopes: readonly string[]): void {
    const bearer = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '')?.[1] ?? queryToken ?? undefined;
    const issued = bearer === undefined ? undefined : this.accessTokens.get(bearer);
    const reason = !bearer
      ? 'CREDENTIALS_MISSING'
      : !issued
        ? 'ACCESS_TOKEN_TYPE_UNSUPPORTED'
        : issued.expiresAt <= this.clock.now()
          ? 'ACCESS_TOKEN_EXPIRED'
          : undefined;
    if (reason || !issued) {
      throw GoogleHttpError.of(googleErrors.unauthenticated(reason ?? 'ACCESS_TOKEN_TYPE_UNSUPPORTED'), {
        'www-authenticate': 'Bearer realm="https://accounts.google.com/", error="invalid_token"',
      });
    }
    if (!anyOfScopes.some((scope) => issued.scopes.includes(scope))) {
      throw GoogleHttpError.of(googleErrors.insufficientScopes());
    }
  }

  /** Revokes the refresh token and, unless told otherwise, the access tokens it minted (as Google does). */
  revokeRefreshToken(options: { keepAccessTokens?: boolean } = {}): void {
    this.revoked = true;
    if (!options.keepAccessTokens) this.dropAccessTokensOf(this.current.refreshToken);
    // The person withdrew the app's access: what consent granted goes too.
    for (const token of this.granted.keys()) if (!options.keepAccessTokens) this.dropAccessTokensOf(token);
    this.granted.clear();
  }

  /**
   * Makes `refreshToken` (or a new deterministic one) the only valid refresh token, as when the
   * user authorizes the app again; the previous one stops working.
   */
  rotateRefreshToken(refreshToken?: string): string {
    if (refreshToken !== undefined && !/^\S+$/.test(refreshToken)) {
      throw new EmulatorError('INVALID_INPUT', 'A refresh token must be a non-empty string without spaces.');
    }
    this.rotations += 1;
    this.current.refreshToken =
      refreshToken ?? `1//0e${digest(`refresh:${this.seed}:${this.rotations}`, 40)}`;
    this.revoked = false;
    return this.current.refreshToken;
  }

  /** Every access token issued so far (the most recent 10,000), expired and revoked ones too. */
  issuedAccessTokens(): string[] {
    return [...this.minted];
  }

  revokeAccessTokens(): void {
    this.accessTokens.clear();
  }

  private dropAccessTokensOf(refreshToken: string): void {
    for (const [token, issued] of this.accessTokens) {
      if (issued.refreshToken === refreshToken) this.accessTokens.delete(token);
    }
  }
}
