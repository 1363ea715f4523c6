import { createHash, randomBytes } from 'node:crypto';

/** Google's consent endpoint, where a person allows the app to read their contacts. */
export const GOOGLE_AUTH_URL = 'https://accounts.google.com/o/oauth2/v2/auth';
/** The scope the sync needs: read the person's contacts and groups. */
export const GOOGLE_CONTACTS_READONLY_SCOPE = 'https://www.googleapis.com/auth/contacts.readonly';
/** The scope of "other contacts" (people written to), needed when `include_other_contacts` is on. */
export const GOOGLE_OTHER_CONTACTS_SCOPE = 'https://www.googleapis.com/auth/contacts.other.readonly';

/**
 * The scopes a source needs: contacts.readonly, plus other contacts' scope when the source syncs
 * them.
 *
 * @example
 * ```ts
 * googleScopes({ includeOtherContacts: true });
 * // ['https://www.googleapis.com/auth/contacts.readonly', 'https://www.googleapis.com/auth/contacts.other.readonly']
 * ```
 */
export function googleScopes(options: { includeOtherContacts: boolean }): string[] {
  return options.includeOtherContacts
    ? [GOOGLE_CONTACTS_READONLY_SCOPE, GOOGLE_OTHER_CONTACTS_SCOPE]
    : [GOOGLE_CONTACTS_READONLY_SCOPE];
}

/** What {@link createGoogleConsent} needs. */
export interface GoogleConsentOptions {
  clientId: string;
  /** Where Google sends the person back: the host's callback, or the CLI's loopback server. */
  redirectUri: string;
  /** Also ask for other contacts' scope (the source's `include_other_contacts`). */
  includeOtherContacts: boolean;
  /** The consent endpoint (default Google's; an emulator's `authUrl` in tests). */
  authUrl?: string;
  /** Pre-fills the account chooser. */
  loginHint?: string;
}

/**
 * A consent request: the URL to send the person to, and the `state` and PKCE `codeVerifier` the
 * host keeps (in its session, server-side) until the callback; both are needed to finish.
 *
 * @example
 * ```ts
 * const consent: GoogleConsent = createGoogleConsent({ clientId, redirectUri, includeOtherContacts: false });
 * session.googleConsent = { state: consent.state, codeVerifier: consent.codeVerifier };
 * ```
 */
export interface GoogleConsent {
  url: string;
  state: string;
  codeVerifier: string;
}

/**
 * Makes the consent URL of the authorization-code flow with PKCE (S256): a fresh `state`
 * (checked on the callback against forged redirects) and code verifier; `access_type=offline` and
 * `prompt=consent` so Google issues a refresh token every time.
 *
 * @example
 * ```ts
 * const consent = createGoogleConsent({
 *   clientId: 'id.apps.googleusercontent.com',
 *   redirectUri: 'https://crm.example/oauth/google/callback',
 *   includeOtherContacts: true,
 * });
 * res.redirect(consent.url);
 * ```
 */
export function createGoogleConsent(options: GoogleConsentOptions): GoogleConsent {
  const state = randomBytes(24).toString('base64url');
  // 32 random bytes: a 43-character verifier, within RFC 7636's 43..128.
  const codeVerifier = randomBytes(32).toString('base64url');
  const url = new URL(options.authUrl ?? GOOGLE_AUTH_URL);
  const params: Record<string, string> = {
    client_id: options.clientId,
    redirect_uri: options.redirectUri,
    response_type: 'code',
    scope: googleScopes(options).join(' '),
    state,
    code_challenge: createHash('sha256').update(codeVerifier).digest('base64url'),
    code_challenge_method: 'S256',
    access_type: 'offline',
    prompt: 'consent',
    include_granted_scopes: 'true',
    ...(options.loginHint ? { login_hint: options.loginHint } : {}),
  };
  for (const [key, value] of Object.entries(params)) url.searchParams.set(key, value);
  return { url: url.toString(), state, codeVerifier };
}
