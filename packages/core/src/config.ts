import { z } from 'zod';
import { accountIdProblem } from './account-id.js';
import { CoreError } from './errors.js';

/** Where the table lives in butler.toml: every key path in an error starts here. */
export const CONTACTS_CONFIG_KEY = 'modules.contacts';

// Each rule's message says what is expected, so the error a person reads names the key (added
// by formatConfigIssues) and the fix; zod's defaults ("expected number, received string") do not.
const bool = z.boolean({ error: 'must be true or false' });
const wholeNumber = (unit: string, min: number, max: number) => {
  const message = `must be a whole number of ${unit} from ${min} to ${max}`;
  return z.number({ error: message }).int(message).min(min, message).max(max, message);
};

/**
 * The `sync` table of `[modules.contacts]`. Unknown keys are refused: a misspelt
 * `interval_minute` would otherwise leave the default in force without a word.
 *
 * @example
 * ```ts
 * ContactsSyncConfig.parse({ interval_minutes: 30 });
 * // { enabled: true, run_on_startup: true, interval_minutes: 30, full_sync_interval_days: 6,
 * //   deletion_guard_percent: 20, deletion_guard_min_contacts: 25 }
 * ```
 */
export const ContactsSyncConfig = z.strictObject(
  {
    enabled: bool.default(true),
    run_on_startup: bool.default(true),
    interval_minutes: wholeNumber('minutes', 1, 24 * 60).default(15),
    // Google's sync tokens die 7 days after the full sync that issued them: 6 keeps one alive.
    full_sync_interval_days: wholeNumber('days', 1, 30).default(6),
    // The deletion guard (core's DEFAULT_DELETION_GUARD, after Android's sync adapters: more than
    // 20% at once, and more than 5, is held). A listing that would mark deleted every linked
    // contact is always held; these set the share held in books of at least the given size.
    deletion_guard_percent: wholeNumber('percent', 1, 100).default(20),
    deletion_guard_min_contacts: wholeNumber('contacts', 1, 1_000_000).default(25),
  },
  { error: 'must be a table ([modules.contacts.sync])' },
);

const providerName = z
  .string({
    error: (issue) =>
      issue.input === undefined
        ? 'is required: name the provider to sync, e.g. provider = "google"'
        : 'must be the name of a provider as a string, e.g. "google"',
  })
  .transform((s) => s.trim().toLowerCase())
  .pipe(z.string().min(1, 'must not be empty: name the provider to sync, e.g. "google"'));

const accountId = z
  .string({ error: 'must be a string naming the account, e.g. "default"' })
  .trim()
  .min(1, 'must not be empty (leave it out for "default")')
  .max(200, 'must be at most 200 characters')
  .superRefine((value, ctx) => {
    const problem = accountIdProblem(value);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  })
  .default('default');

/**
 * One `[[modules.contacts.sources]]` table: `provider`, `account_id` (default `default`) and the
 * provider's own settings, kept as written here and validated by the provider's descriptor
 * (`ContactsModule` does it with {@link formatSettingsIssues}).
 *
 * @example
 * ```ts
 * ContactsSourceTable.parse({ provider: 'Google', account_id: 'work', include_other_contacts: true });
 * // { provider: 'google', account_id: 'work', include_other_contacts: true }
 * ```
 */
export const ContactsSourceTable = z.looseObject(
  { provider: providerName, account_id: accountId },
  { error: 'must be a table ([[modules.contacts.sources]])' },
);
/**
 * A parsed `[[modules.contacts.sources]]` table.
 *
 * @example
 * ```ts
 * const table: ContactsSourceTable = { provider: 'google', account_id: 'work' };
 * ```
 */
export type ContactsSourceTable = z.infer<typeof ContactsSourceTable>;

/** The keys of `[modules.contacts]` as written (before the sources-only form is resolved). */
const ContactsConfigTable = z
  .strictObject(
    {
      // Required unless [[modules.contacts.sources]] tables name every source (checked below).
      provider: providerName.optional(),
      account_id: accountId,
      include_other_contacts: bool.default(false),
      sync: ContactsSyncConfig.default(() => ContactsSyncConfig.parse({})),
      // More sources beside the one the keys above name; see docs/host-integration.md.
      sources: z
        .array(ContactsSourceTable, { error: 'must be an array of tables ([[modules.contacts.sources]])' })
        .optional(),
    },
    { error: 'must be a table ([modules.contacts])' },
  )
  .superRefine((config, ctx) => {
    const specForm = config.provider !== undefined;
    if (!specForm) {
      if ((config.sources ?? []).length === 0) {
        ctx.addIssue({
          code: 'custom',
          path: ['provider'],
          message:
            'is required: name the provider to sync, e.g. provider = "google", or give [[modules.contacts.sources]] tables',
        });
        return;
      }
      // Without `provider` these would name no source: refused rather than silently ignored.
      const stray = [
        ...(config.account_id === 'default' ? [] : ['account_id']),
        ...(config.include_other_contacts ? ['include_other_contacts'] : []),
      ];
      for (const key of stray) {
        ctx.addIssue({
          code: 'custom',
          path: [key],
          message:
            'belongs to the source provider names, and there is no provider here: set it in a [[modules.contacts.sources]] table',
        });
      }
    }
    // (provider, account_id) is the key of an account's sync state: two tables naming one account
    // would sync it twice, racing for its lease.
    const seen = new Map<string, string>();
    const key = (provider: string, account: string) => JSON.stringify([provider, account]);
    if (specForm) seen.set(key(config.provider!, config.account_id), 'modules.contacts');
    for (const [index, table] of (config.sources ?? []).entries()) {
      const where = seen.get(key(table.provider, table.account_id));
      if (where) {
        ctx.addIssue({
          code: 'custom',
          path: ['sources', index, 'account_id'],
          message: `must be unique per provider: ${where} already syncs ${table.provider} account "${table.account_id}"`,
        });
      } else {
        seen.set(key(table.provider, table.account_id), `modules.contacts.sources[${index}]`);
      }
    }
  });

/**
 * The `[modules.contacts]` table of `butler.toml`. The provider name is trimmed and lower-cased;
 * unknown keys, wrong types and out-of-range values are refused, each named by its key path.
 *
 * The spec form (`provider` at the top) is one source, account `default` unless `account_id` says
 * otherwise, and `[[modules.contacts.sources]]` tables add more. Without `provider`, the tables
 * alone are the sources: `sources_only` is then true and `provider` / `account_id` are the first
 * table's (as a running module's `config` is its first source's).
 *
 * @example
 * ```ts
 * const config = ContactsConfig.parse({ provider: ' Google ' });
 * // { provider: 'google', account_id: 'default', include_other_contacts: false,
 * //   sync: { enabled: true, run_on_startup: true, interval_minutes: 15, full_sync_interval_days: 6,
 * //           deletion_guard_percent: 20, deletion_guard_min_contacts: 25 } }
 * ContactsConfig.parse({ sources: [{ provider: 'google', account_id: 'work' }] }).sources_only; // true
 * ```
 */
export const ContactsConfig = ContactsConfigTable.transform(
  (
    config,
  ): Omit<z.infer<typeof ContactsConfigTable>, 'provider'> & {
    provider: string;
    sources_only?: true;
    provider_settings?: Record<string, unknown>;
  } => {
    if (config.provider !== undefined) return { ...config, provider: config.provider };
    // The refinement above guarantees a first table here.
    const first = config.sources![0]!;
    return { ...config, provider: first.provider, account_id: first.account_id, sources_only: true };
  },
);
export type ContactsConfig = z.infer<typeof ContactsConfig>;
/**
 * The `[modules.contacts]` table as written in `butler.toml`: `provider`, or at least one
 * `[[modules.contacts.sources]]` table, is required.
 *
 * @example
 * ```ts
 * const input: ContactsConfigInput = { provider: 'google', sync: { interval_minutes: 30 } };
 * const config = parseContactsConfig(input);
 * ```
 */
export type ContactsConfigInput = z.input<typeof ContactsConfig>;

/** The keys each table takes, for "unknown key" messages. */
const KNOWN_KEYS: Record<string, readonly string[]> = {
  '': Object.keys(ContactsConfigTable.shape),
  sync: Object.keys(ContactsSyncConfig.shape),
};

/**
 * Options of {@link parseContactsConfig}.
 *
 * @example
 * ```ts
 * const options: ParseContactsConfigOptions = { providerSettingKeys: (name) => (name === 'carddav' ? ['url', 'books'] : undefined) };
 * ```
 */
export interface ParseContactsConfigOptions {
  /**
   * The keys of a provider's own settings (its descriptor's settings schema). When `provider`
   * names it, those keys are taken at the top of `[modules.contacts]` too, kept as written in
   * `provider_settings` for the descriptor to validate; any other key there is refused.
   */
  providerSettingKeys?: (provider: string) => readonly string[] | undefined;
}

/**
 * A config this function returned, as it was written, so that parsing it again (a host that
 * hands the module what it parsed) gives it back: the first table's provider and account that
 * the sources-only form copies to the top are dropped again, and `provider_settings` go back
 * to the top. Anything else is returned as is.
 */
function writtenForm(input: unknown): unknown {
  if (input === null || typeof input !== 'object' || Array.isArray(input)) return input;
  const { sources_only, provider_settings, ...rest } = input as Record<string, unknown>;
  if (sources_only === true) {
    const { provider: _provider, account_id: _account, ...tables } = rest;
    return tables;
  }
  if (
    provider_settings !== null &&
    typeof provider_settings === 'object' &&
    !Array.isArray(provider_settings)
  )
    return { ...rest, ...(provider_settings as Record<string, unknown>) };
  return input;
}

/**
 * The top-level keys of the spec form's provider, taken out of `table` (those core parses
 * itself stay), with the keys `[modules.contacts]` then takes.
 */
function splitProviderSettings(
  table: unknown,
  lookup: ParseContactsConfigOptions['providerSettingKeys'],
): { rest: unknown; settings: Record<string, unknown> | undefined; known: readonly string[] } {
  const coreKeys = KNOWN_KEYS['']!;
  if (!lookup || table === null || typeof table !== 'object' || Array.isArray(table))
    return { rest: table, settings: undefined, known: coreKeys };
  const record = table as Record<string, unknown>;
  if (typeof record.provider !== 'string') return { rest: table, settings: undefined, known: coreKeys };
  const own = (lookup(record.provider.trim().toLowerCase()) ?? []).filter((key) => !coreKeys.includes(key));
  if (own.length === 0) return { rest: table, settings: undefined, known: coreKeys };
  const settings: Record<string, unknown> = {};
  const rest: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(record)) {
    if (own.includes(key)) settings[key] = value;
    else rest[key] = value;
  }
  return { rest, settings, known: [...coreKeys, ...own] };
}

const SHOWN_LENGTH = 40;

/**
 * A config value as a person wrote it in TOML, short: strings quoted (long ones cut, with their
 * length), `nan` and `inf` as TOML spells them, tables and arrays by kind.
 */
function describeValue(value: unknown): string {
  if (typeof value === 'string') {
    const shown = JSON.stringify(value.length > SHOWN_LENGTH ? `${value.slice(0, SHOWN_LENGTH)}…` : value);
    return value.length > SHOWN_LENGTH ? `${shown} (${value.length} characters)` : shown;
  }
  if (typeof value === 'number') {
    if (Number.isNaN(value)) return 'nan';
    if (!Number.isFinite(value)) return value > 0 ? 'inf' : '-inf';
    return String(value);
  }
  if (typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  if (Array.isArray(value)) return 'an array';
  if (value instanceof Date) return 'a date';
  if (value === null) return 'null';
  if (typeof value === 'object') return 'a table';
  return typeof value;
}

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let current = input;
  for (const key of path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<PropertyKey, unknown>)[key];
  }
  return current;
}

/** `modules.contacts.sources[1].url`: array indexes in brackets, keys after dots. */
function keyPath(prefix: string, path: readonly PropertyKey[]): string {
  let out = prefix;
  for (const segment of path) out += typeof segment === 'number' ? `[${segment}]` : `.${String(segment)}`;
  return out;
}

/**
 * One sentence per problem, each naming its full key path (`modules.contacts.sync.interval_minutes`),
 * what is expected and what was given.
 *
 * @example
 * ```ts
 * const result = ContactsConfig.safeParse({ provider: 'google', sync: { interval_minutes: 0 } });
 * if (!result.success) formatConfigIssues(result.error, input);
 * // ['modules.contacts.sync.interval_minutes must be a whole number of minutes from 1 to 1440 (got 0)']
 * ```
 */
export function formatConfigIssues(
  error: z.ZodError,
  input: unknown,
  prefix: string = CONTACTS_CONFIG_KEY,
  knownKeys: (path: string) => readonly string[] = (path) => KNOWN_KEYS[path] ?? [],
): string[] {
  const sentences: string[] = [];
  for (const issue of error.issues) {
    const path = keyPath(prefix, issue.path);
    if (issue.code === 'unrecognized_keys') {
      const known = knownKeys(issue.path.map(String).join('.'));
      for (const key of issue.keys) {
        sentences.push(
          `${path}.${key} is not a known key (${path} takes ${known.join(', ')}): remove it or fix its spelling`,
        );
      }
      continue;
    }
    const given = valueAt(input, issue.path);
    sentences.push(`${path} ${issue.message}${given === undefined ? '' : ` (got ${describeValue(given)})`}`);
  }
  return sentences;
}

/**
 * Parses `[modules.contacts]`, throwing one error that names every bad key by its path, what it
 * expects and what it got, e.g. `Invalid [modules.contacts] config:
 * modules.contacts.sync.interval_minutes must be a whole number of minutes from 1 to 1440 (got 0).`
 * A missing table counts as empty (and so lacks the required provider). With
 * `providerSettingKeys`, the spec form's provider's own settings may stand at the top too
 * (`url` next to `provider = "carddav"`): they come back in `provider_settings`, as written.
 *
 * @throws CoreError `INVALID_CONFIG`
 * @example
 * ```ts
 * const config = parseContactsConfig(toml.modules.contacts);
 * const carddav = parseContactsConfig(
 *   { provider: 'carddav', url: 'https://contacts.icloud.com/' },
 *   { providerSettingKeys: (name) => (name === 'carddav' ? ['url', 'books'] : undefined) },
 * );
 * carddav.provider_settings; // { url: 'https://contacts.icloud.com/' }
 * ```
 */
export function parseContactsConfig(
  input: unknown,
  options: ParseContactsConfigOptions = {},
): ContactsConfig {
  const table = writtenForm(input ?? {});
  const { rest, settings, known } = splitProviderSettings(table, options.providerSettingKeys);
  const result = ContactsConfig.safeParse(rest);
  if (result.success) return settings ? { ...result.data, provider_settings: settings } : result.data;
  throw new CoreError(
    'INVALID_CONFIG',
    `Invalid [${CONTACTS_CONFIG_KEY}] config: ${formatConfigIssues(result.error, rest, CONTACTS_CONFIG_KEY, (path) => (path === '' ? known : (KNOWN_KEYS[path] ?? []))).join('; ')}.`,
    { cause: result.error },
  );
}

/**
 * The schema of `[modules.contacts]` as {@link parseContactsConfig} reads it with `options`: a
 * host that validates its butler.toml with it accepts what the module accepts (a provider's own
 * settings at the top, a config parsed before).
 *
 * @example
 * ```ts
 * const schema = contactsConfigSchema({ providerSettingKeys: (name) => (name === 'carddav' ? ['url', 'books'] : undefined) });
 * schema.parse({ provider: 'carddav', url: 'https://carddav.fastmail.com/' }).provider_settings; // { url: '…' }
 * ```
 */
export function contactsConfigSchema(options: ParseContactsConfigOptions = {}): z.ZodType<ContactsConfig> {
  return z.unknown().transform((input, ctx): ContactsConfig => {
    const { rest, settings } = splitProviderSettings(writtenForm(input ?? {}), options.providerSettingKeys);
    const result = ContactsConfig.safeParse(rest);
    if (!result.success) {
      for (const issue of result.error.issues) ctx.issues.push({ ...issue, input: rest } as never);
      return z.NEVER;
    }
    return settings ? { ...result.data, provider_settings: settings } : result.data;
  });
}

/**
 * One sentence per problem of a provider's own settings, each naming its key path under
 * `prefix` (`modules.contacts.sources[1].root_url must be ...`), as {@link formatConfigIssues} does
 * for the generic keys.
 *
 * @example
 * ```ts
 * const result = descriptor.settings.safeParse(settings);
 * if (!result.success) formatSettingsIssues(result.error, settings, 'modules.contacts.sources[1]', ['provider', 'account_id', 'root_url']);
 * ```
 */
export function formatSettingsIssues(
  error: z.ZodError,
  input: unknown,
  prefix: string,
  knownKeys: readonly string[],
): string[] {
  return formatConfigIssues(error, input, prefix, (path) => (path === '' ? knownKeys : []));
}
