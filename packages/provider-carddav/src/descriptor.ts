import type { AuthorizeInput } from '@contacts/core';
import { credentialUrlProblem, type ProviderDescriptor } from '@contacts/core';
import { z } from 'zod';

/**
 * The CardDAV settings of a source table (`provider = "carddav"`): the server `url` (a root such
 * as `https://contacts.icloud.com/`, a `/.well-known/carddav` host, or one address book's URL)
 * and, optionally, which `books` to sync (by URL, display name or last path segment; default
 * every address book of the principal).
 *
 * @example
 * ```ts
 * const settings: CardDavSettings = { url: 'https://carddav.fastmail.com/', books: ['Default'] };
 * ```
 */
export interface CardDavSettings {
  url?: string;
  books?: string[];
}

const CardDavSettingsSchema: z.ZodType<CardDavSettings> = z.strictObject({
  url: z
    .string({ error: 'must be a URL as a string' })
    .superRefine((value, ctx) => {
      const problem = credentialUrlProblem(value);
      if (problem) ctx.addIssue({ code: 'custom', message: `${problem}: it receives the CardDAV password` });
    })
    .optional(),
  books: z
    .array(z.string().min(1, { error: 'must name a book' }), { error: 'must be a list of book names' })
    .optional(),
});

/**
 * Shapes of CardDAV secrets the module's redactor blanks: an app-specific password as iCloud and
 * Fastmail issue them (`abcd-efgh-ijkl-mnop`, 4 × 4 lower-case letters) and a Basic
 * `Authorization` value.
 *
 * @example
 * ```ts
 * 'pw abcd-efgh-ijkl-mnop'.replace(CARDDAV_SECRET_SHAPES[0]!, '[redacted]'); // 'pw [redacted]'
 * ```
 */
export const CARDDAV_SECRET_SHAPES: readonly RegExp[] = [
  /\b[a-z]{4}-[a-z]{4}-[a-z]{4}-[a-z]{4}\b/g,
  // The label is kept; the value needs a digit, `+`, `/` or `=` so prose ("Basic authentication") stays.
  /\b(Basic )(?=[A-Za-z0-9+/]*[0-9+/=])[A-Za-z0-9+/]{8,}={0,2}/g,
];

/**
 * What `contacts auth carddav` asks for: the server url (the flag, else the source's `url`), the
 * user name, and the password, asked for every time (re-running is how a new one is stored).
 *
 * @example
 * ```ts
 * CARDDAV_AUTHORIZE_INPUTS.map((input) => `--${input.flag}`); // ['--url', '--username', '--password']
 * ```
 */
export const CARDDAV_AUTHORIZE_INPUTS: readonly AuthorizeInput[] = [
  { field: 'url', flag: 'url', setting: 'url' },
  { field: 'username', flag: 'username', env: 'CONTACTS_CARDDAV_USERNAME' },
  { field: 'password', flag: 'password', env: 'CONTACTS_CARDDAV_PASSWORD', secret: true, fresh: true },
];

/**
 * The CardDAV provider as the contacts module registers it: settings `url` and `books`, and two
 * credential-store keys per account, `CARDDAV_USERNAME` and `CARDDAV_PASSWORD` for the `default`
 * account, `CARDDAV_PASSWORD@family` (and so on) for account `family`.
 *
 * @example
 * ```ts
 * const registry = new ProviderRegistry().register(carddavProviderDescriptor);
 * const provider = await carddavProviderDescriptor.create({
 *   accountId: 'default', settings: { url: 'https://contacts.icloud.com/' },
 *   credentials: { username: 'ada@icloud.com', password: 'abcd-efgh-ijkl-mnop' }, logger, clock,
 * });
 * ```
 */
export const carddavProviderDescriptor: ProviderDescriptor<CardDavSettings> = {
  name: 'carddav',
  displayName: 'CardDAV',
  settings: CardDavSettingsSchema,
  credentials: [
    {
      key: 'CARDDAV_USERNAME',
      field: 'username',
      explain: 'the CardDAV user name (often the email address)',
    },
    {
      key: 'CARDDAV_PASSWORD',
      field: 'password',
      explain: 'the password; for iCloud and Fastmail an app-specific password',
    },
  ],
  secretShapes: CARDDAV_SECRET_SHAPES,
  credentialsLabel: 'CardDAV credentials',
  connectHint:
    '`contacts auth carddav` checks the password at the server before it stores both (`--username NAME`, the password read without echo); or store them with `contacts secrets set CARDDAV_USERNAME` and `contacts secrets set CARDDAV_PASSWORD` (an app-specific password for iCloud and Fastmail), then restart or reconcile.',
  // The provider (its XML and vCard parsers) and the authorization (discovery) are imported when
  // they run, not when the registry is: `contacts status` loads neither.
  create: async ({ settings, credentials }) => {
    const { CardDavContactsProvider } = await import('./carddav-contacts-provider.js');
    return new CardDavContactsProvider({
      url: settings.url,
      books: settings.books,
      username: credentials.username ?? '',
      password: credentials.password ?? '',
    });
  },
  upstream: ({ settings }) => carddavUpstream(settings.url),
  authorize: {
    inputs: CARDDAV_AUTHORIZE_INPUTS,
    run: async (context) => (await import('./authorize.js')).carddavAuthorization().run(context),
  },
};

const DEFAULT_PORTS: Readonly<Record<string, string>> = { 'https:': '443', 'http:': '80' };

/**
 * The upstream of a CardDAV account: its server's `host:port` (the default port spelled out, so
 * `https://dav.example.com/` and `https://dav.example.com:443/x/` share one cap). Never the path
 * or user info of the url, which may name the user or carry a password. Without a url (every
 * call fails until one is set): `unset`.
 *
 * @example
 * ```ts
 * carddavUpstream('https://contacts.icloud.com/'); // 'contacts.icloud.com:443'
 * ```
 */
export function carddavUpstream(url: string | undefined): string {
  if (url === undefined) return 'unset';
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return 'invalid';
  }
  const port = parsed.port || DEFAULT_PORTS[parsed.protocol] || '';
  return `${parsed.hostname.toLowerCase()}:${port}`;
}
