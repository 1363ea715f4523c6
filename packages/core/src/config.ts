import { z } from 'zod';
import { CoreError } from './errors.js';
import { formatIssues } from './model/parse-contact.js';

/**
 * The `sync` table of `[modules.contacts]`.
 *
 * @example
 * ```ts
 * ContactsSyncConfig.parse({ interval_minutes: 30 });
 * // { enabled: true, run_on_startup: true, interval_minutes: 30, full_sync_interval_days: 6 }
 * ```
 */
export const ContactsSyncConfig = z
  .object({
    enabled: z.boolean().default(true),
    run_on_startup: z.boolean().default(true),
    interval_minutes: z
      .number()
      .int()
      .min(1)
      .max(24 * 60)
      .default(15),
    // Google's sync tokens die 7 days after the full sync that issued them: 6 keeps one alive.
    full_sync_interval_days: z.number().int().min(1).max(30).default(6),
  })
  .strict();

/**
 * The `[modules.contacts]` table of `butler.toml`. The provider name is trimmed and lower-cased;
 * unknown keys and out-of-range values are refused.
 *
 * @example
 * ```ts
 * const config = ContactsConfig.parse({ provider: ' Google ' });
 * // { provider: 'google', account_id: 'default', include_other_contacts: false,
 * //   sync: { enabled: true, run_on_startup: true, interval_minutes: 15, full_sync_interval_days: 6 } }
 * ```
 */
export const ContactsConfig = z
  .object({
    provider: z
      .string()
      .transform((s) => s.trim().toLowerCase())
      .pipe(z.string().min(1, 'the provider must not be empty')),
    account_id: z.string().trim().min(1).max(200).default('default'),
    include_other_contacts: z.boolean().default(false),
    sync: ContactsSyncConfig.default(() => ContactsSyncConfig.parse({})),
  })
  .strict();
export type ContactsConfig = z.infer<typeof ContactsConfig>;
/**
 * The `[modules.contacts]` table as written in `butler.toml`: only `provider` is required.
 *
 * @example
 * ```ts
 * const input: ContactsConfigInput = { provider: 'google', sync: { interval_minutes: 30 } };
 * const config = parseContactsConfig(input);
 * ```
 */
export type ContactsConfigInput = z.input<typeof ContactsConfig>;

/**
 * Parses `[modules.contacts]`, throwing one error that names every bad key, e.g.
 * `Invalid [modules.contacts] config: sync.interval_minutes: Too small: expected number to be >=1`.
 *
 * @throws CoreError `INVALID_CONFIG`
 * @example
 * ```ts
 * const config = parseContactsConfig(toml.modules.contacts);
 * ```
 */
export function parseContactsConfig(input: unknown): ContactsConfig {
  const result = ContactsConfig.safeParse(input ?? {});
  if (result.success) return result.data;
  throw new CoreError('INVALID_CONFIG', `Invalid [modules.contacts] config: ${formatIssues(result.error)}`, {
    cause: result.error,
  });
}
