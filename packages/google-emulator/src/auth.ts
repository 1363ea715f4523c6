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
  /** The fleet account it reads; none for the emulator's own account. */
  account?: number;
  /** The OAuth client it was issued to (0: the emulator's own). */
  client: number;
}

/**
 * Who a valid access token acts for: a fleet account (or the emulator's own when `account` is
 * undefined), through which OAuth client.
 */
export interface TokenHolder {
  account?: number;
  client: number;
}

/** What the OAuth state needs to know of a fleet: its extra clients and its accounts' refresh tokens. */
export interface FleetAuth {
  /** Client id and secret of client `index` (>= 1), or undefined past the last one. */
  client(index: number): { clientId: string; clientSecret: string } | undefined;
  /** The account a refresh token stands for, or undefined. */
  accountOf(refreshToken: string): number | undefined;
  /** The client an account belongs to. */
  clientOf(account: number): number;
}

const MINTED_LIMIT = 10_000;

/** The access token a request carries: `Authorization: Bearer`, or the `access_token` query parameter. */
export function bearerOf(header: string | undefined, queryToken: string | null): string | undefined {
  return /^Bearer\s+(\S+)\s*$/i.exec(header ?? '')?.[1] ?? queryToken ?? undefined;
}

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
  /** Fleet accounts whose refresh token was revoked. */
  private readonly revokedAccounts = new Set<number>();
  /** Expired access tokens are dropped when the map grows past this (then twice its live size). */
  private pruneAt = 1000;

  constructor(
    private readonly seed: number,
    credentials: EmulatorCredentials,
    private readonly scopes: readonly string[],
    private readonly ttlSeconds: number,
    private readonly clock: Clock,
    private readonly fleet?: FleetAuth,
  ) {
    this.current = { ...credentials };
  }

  get credentials(): EmulatorCredentials {
    return { ...this.current };
  }

  /** The scopes access tokens get (the `scopes` option). */
  get grantedScopes(): readonly string[] {
    return this.scopes;
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
    const client = this.clientIndexOf(clientId);
    if (clientId === undefined || client === undefined) {
      return oauthError(401, 'invalid_client', 'The OAuth client was not found.');
    }
    const expectedSecret =
      client === 0 ? this.current.clientSecret : this.fleet?.client(client)?.clientSecret;
    if (clientSecret !== expectedSecret) return oauthError(401, 'invalid_client', 'Unauthorized');
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
    const account = this.fleet?.accountOf(refreshToken);
    const grantedScopes = this.granted.get(refreshToken);
    let grant: AccessTokenGrant;
    if (account !== undefined) {
      // A fleet account's token works with its own client only, as a Google refresh token does.
      if (this.revokedAccounts.has(account) || this.fleet?.clientOf(account) !== client) {
        return oauthError(400, 'invalid_grant', 'Token has been expired or revoked.');
      }
      grant = this.issueAccessToken({ refreshToken, scopes: this.scopes, account, client });
    } else {
      if (client !== 0 || (!grantedScopes && (this.revoked || refreshToken !== this.current.refreshToken))) {
        return oauthError(400, 'invalid_grant', 'Token has been expired or revoked.');
      }
      grant = this.issueAccessToken(grantedScopes ? { refreshToken, scopes: grantedScopes } : undefined);
    }
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
  issueAccessToken(from?: {
    refreshToken: string;
    scopes: readonly string[];
    account?: number;
    client?: number;
  }): AccessTokenGrant {
    if (this.revoked && !from)
      throw new EmulatorError('INVALID_INPUT', 'The refresh token is revoked: rotate it first.');
    if (from?.account !== undefined && this.revokedAccounts.has(from.account))
      throw new EmulatorError(
        'INVALID_INPUT',
        `The refresh token of fleet account ${from.account} is revoked.`,
      );
    const now = this.clock.now();
    if (this.accessTokens.size > this.pruneAt) {
      for (const [token, issued] of this.accessTokens)
        if (issued.expiresAt <= now) this.accessTokens.delete(token);
      // A fleet keeps thousands of live tokens: prune again only once the map has doubled.
      this.pruneAt = Math.max(1000, this.accessTokens.size * 2);
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
      client: from?.client ?? 0,
      ...(from?.account === undefined ? {} : { account: from.account }),
    });
    return { accessToken, expiresIn: this.ttlSeconds, expiresAt, scope: scopes.join(' ') };
  }

  /**
   * Checks a request's bearer token (header, or the `access_token` query parameter Google also
   * accepts) and that it carries one of `anyOfScopes`; throws the 401/403 Google would send.
   */
  authorize(header: string | undefined, queryToken: string | null, anyOfScopes: readonly string[]): void {
    const bearer = bearerOf(header, queryToken);
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

  /** Who an unexpired access token acts for, or undefined (missing, unknown or expired). */
  holderOf(accessToken: string | undefined): TokenHolder | undefined {
    const issued = accessToken === undefined ? undefined : this.accessTokens.get(accessToken);
    if (!issued || issued.expiresAt <= this.clock.now()) return undefined;
    return issued.account === undefined
      ? { client: issued.client }
      : { account: issued.account, client: issued.client };
  }

  /** Revokes fleet account `account`'s refresh token (invalid_grant from now on) and its access tokens. */
  revokeAccount(account: number): void {
    this.revokedAccounts.add(account);
    for (const [token, issued] of this.accessTokens)
      if (issued.account === account) this.accessTokens.delete(token);
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

  private clientIndexOf(clientId: string | undefined): number | undefined {
    if (clientId === undefined) return undefined;
    if (clientId === this.current.clientId) return 0;
    for (let index = 1; ; index++) {
      const client = this.fleet?.client(index);
      if (!client) return undefined;
      if (client.clientId === clientId) return index;
    }
  }

  private dropAccessTokensOf(refreshToken: string): void {
    for (const [token, issued] of this.accessTokens) {
      if (issued.refreshToken === refreshToken) this.accessTokens.delete(token);
    }
  }
}
