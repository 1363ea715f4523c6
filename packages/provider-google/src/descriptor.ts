import { createHash } from 'node:crypto';
import { credentialUrlProblem, type ProviderDescriptor } from '@contacts/core';
import { z } from 'zod';
import { GOOGLE_ROOT_URL } from './google-fields.js';
import { googleAuthorization } from './oauth/authorize.js';
import { GOOGLE_TOKEN_SHAPES } from './redact.js';

const ROOT_CARRIES = 'the access token';
const TOKEN_CARRIES = 'the OAuth client secret and refresh token';
const AUTH_CARRIES = 'the OAuth client id and the consent';

/** https, or http to a loopback emulator; the message never quotes the URL (it may hold a secret). */
const credentialUrl = (carries: string) =>
  z.string({ error: 'must be a URL as a string' }).superRefine((value, ctx) => {
    const problem = credentialUrlProblem(value);
    if (problem) ctx.addIssue({ code: 'custom', message: `${problem}: it receives ${carries}` });
  });

/**
 * The Google settings of a source table (`[modules.contacts]` in the spec form, or a
 * `[[modules.contacts.sources]]` table with `provider = "google"`).
 *
 * @example
 * ```ts
 * const settings: GoogleSettings = { include_other_contacts: true };
 * ```
 */
export interface GoogleSettings {
  /** Also sync "other contacts" (people you wrote to), as a second stream. */
  include_other_contacts: boolean;
  /** People API root instead of Google's (an emulator, a proxy). */
  root_url?: string;
  /** OAuth token endpoint instead of Google's. */
  token_url?: string;
  /** OAuth consent page instead of Google's (`contacts auth google` against an emulator). */
  auth_url?: string;
}

const GoogleSettingsSchema: z.ZodType<GoogleSettings> = z.strictObject({
  include_other_contacts: z.boolean({ error: 'must be true or false' }).default(false),
  root_url: credentialUrl(ROOT_CARRIES).optional(),
  token_url: credentialUrl(TOKEN_CARRIES).optional(),
  auth_url: credentialUrl(AUTH_CARRIES).optional(),
});

/**
 * The Google People API provider as the contacts module registers it (also
 * `@contacts/provider-google/descriptor`, which loads the provider itself only in `create`): settings
 * `include_other_contacts`, `root_url`, `token_url`, `auth_url` (also `$CONTACTS_GOOGLE_ROOT_URL`,
 * `$CONTACTS_GOOGLE_TOKEN_URL`, `$CONTACTS_GOOGLE_AUTH_URL`, and the `contacts` command's
 * `--google-root-url` / `--google-token-url` / `--google-auth-url`), and three credential-store keys per account: `GOOGLE_OAUTH_CLIENT_ID`,
 * `GOOGLE_OAUTH_CLIENT_SECRET`, `GOOGLE_REFRESH_TOKEN` for the `default` account,
 * `GOOGLE_REFRESH_TOKEN@work` (and so on) for account `work`.
 *
 * @example
 * ```ts
 * const registry = new ProviderRegistry().register(googleProviderDescriptor);
 * const provider = await googleProviderDescriptor.create({
 *   accountId: 'default', settings: { include_other_contacts: false },
 *   credentials: { clientId, clientSecret, refreshToken }, logger, clock,
 * });
 * ```
 */
export const googleProviderDescriptor: ProviderDescriptor<GoogleSettings> = {
  name: 'google',
  displayName: 'Google',
  settings: GoogleSettingsSchema,
  credentials: [
    {
      key: 'GOOGLE_OAUTH_CLIENT_ID',
      field: 'clientId',
      explain: "the OAuth client's id (Google Cloud console → Credentials)",
    },
    {
      key: 'GOOGLE_OAUTH_CLIENT_SECRET',
      field: 'clientSecret',
      explain: "the OAuth client's secret",
    },
    {
      key: 'GOOGLE_REFRESH_TOKEN',
      field: 'refreshToken',
      explain: 'the refresh token the dashboard OAuth flow stores for the account',
    },
  ],
  secretShapes: GOOGLE_TOKEN_SHAPES,
  env: [
    {
      name: 'CONTACTS_GOOGLE_ROOT_URL',
      setting: 'root_url',
      description: "People API root instead of Google's",
      carries: ROOT_CARRIES,
    },
    {
      name: 'CONTACTS_GOOGLE_TOKEN_URL',
      setting: 'token_url',
      description: "OAuth token endpoint instead of Google's",
      carries: TOKEN_CARRIES,
    },
    {
      name: 'CONTACTS_GOOGLE_AUTH_URL',
      setting: 'auth_url',
      description: "OAuth consent page instead of Google's",
      carries: AUTH_CARRIES,
    },
  ],
  topLevelSettings: ['include_other_contacts'],
  credentialsLabel: 'Google OAuth credentials',
  connectHint:
    'Connect the Google account through the dashboard OAuth flow (or store them with `contacts secrets set KEY VALUE`), then restart or reconcile.',
  // The provider (and with it the Google API client, the largest module the command loads) is
  // imported when a source is built, not when the registry is: `contacts status` never needs it.
  create: async ({ settings, credentials, logger }) => {
    const { GoogleContactsProvider } = await import('./google-contacts-provider.js');
    return new GoogleContactsProvider({
      clientId: credentials.clientId ?? '',
      clientSecret: credentials.clientSecret ?? '',
      refreshToken: credentials.refreshToken ?? '',
      rootUrl: settings.root_url,
      tokenUrl: settings.token_url,
      includeOtherContacts: settings.include_other_contacts,
      logger,
    });
  },
  authorize: googleAuthorization,
  upstream: ({ settings, credentials }) => googleUpstream(settings.root_url, credentials.clientId),
};

/**
 * The upstream of a Google account: 12 hex digits of a SHA-256 over the People API root and the
 * OAuth client id, since Google counts per-project quotas per OAuth client. Hashed rather than
 * spelled out: a root URL may carry a secret (the settings never quote it) and a client id is
 * long; the refresh token, which is each account's own, never enters it.
 *
 * @example
 * ```ts
 * googleUpstream(undefined, '123-abc.apps.googleusercontent.com'); // '5d41402abc4b' (say)
 * ```
 */
export function googleUpstream(rootUrl: string | undefined, clientId: string | undefined): string {
  return createHash('sha256')
    .update(`${rootUrl ?? GOOGLE_ROOT_URL}\n${clientId ?? ''}`)
    .digest('hex')
    .slice(0, 12);
}
