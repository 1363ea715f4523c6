import { z } from 'zod';

/**
 * The `provider` argument: one of the registered providers, or left out.
 *
 * @example
 * ```ts
 * const input = toolInput('contacts_sync_status', { provider: providerInput(['google']) });
 * ```
 */
export function providerInput(providers: readonly string[]) {
  const names = [...providers] as [string, ...string[]];
  const allowed =
    names.length === 1
      ? `"${names[0]}", the only provider this butler syncs`
      : `one of ${names.map((n) => `"${n}"`).join(', ')}, the providers this butler syncs`;
  return z
    .enum(names, {
      error: (issue) =>
        `provider must be ${allowed} (or left out for the configured one)${issue.input === undefined ? '' : `, not ${shown(issue.input)}`}`,
    })
    .optional()
    .describe(
      names.length === 1
        ? `The source provider. Only "${names[0]}" is supported; omit it to use the configured provider.`
        : `The source provider (${names.join(', ')}); omit it when only one configured source matches.`,
    );
}

/**
 * The `account_id` argument: a configured account, or left out.
 *
 * @example
 * ```ts
 * const input = toolInput('contacts_sync_status', { account_id: accountIdInput });
 * ```
 */
export const accountIdInput = z
  .string({
    error: (issue) =>
      `account_id must be the id of a configured account as a string, not ${shown(issue.input)}`,
  })
  .max(200, 'account_id must be at most 200 characters')
  .optional()
  .describe(
    'The account of the source (its account_id in butler.toml, "default" for the first one); omit it when only one configured source matches.',
  );

/** An argument's value in an error, short (a client may send anything, of any size). */
function shown(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 60)}…` : text;
}

/**
 * A tool's input: these arguments and no others. An unknown argument is refused, naming it and
 * the ones the tool takes: a misspelt `mdoe: "full"` must not run an incremental sync in silence.
 *
 * @example
 * ```ts
 * const input = toolInput('contacts_sync_status', { provider: providerInput });
 * ```
 */
export function toolInput<Shape extends z.ZodRawShape>(tool: string, shape: Shape) {
  const keys = Object.keys(shape);
  // "provider", "provider and mode", "provider, mode and confirm_deletions".
  const names = keys.length > 1 ? [keys.slice(0, -1).join(', '), keys.at(-1)] : keys;
  return z.strictObject(shape, {
    error: (issue) => {
      if (issue.code === 'unrecognized_keys') {
        const plural = issue.keys.length > 1 ? 's' : '';
        return `Unknown argument${plural} ${issue.keys.map((k) => `"${k}"`).join(', ')}: ${tool} takes ${names.join(' and ')} only (all optional).`;
      }
      return `The arguments of ${tool} must be an object with ${names.join(' and ')} (all optional).`;
    },
  });
}

export const isoTimestamp = z
  .string()
  .nullable()
  .describe('ISO 8601 timestamp, or null when it never happened.');

export const summarySchema = z
  .object({
    fetched: z.number().int().describe('Contacts the source returned.'),
    applied: z.number().int().describe('Contacts written (created, linked or updated).'),
    skipped: z.number().int().describe('Contacts unchanged since the last sync (same etag): no write.'),
    unchanged: z
      .number()
      .int()
      .describe(
        'Contacts the source listed as the version already held (ETag-aware sources): neither downloaded nor written.',
      ),
    deleted: z.number().int().describe('Contacts deleted at the source; their CRM records are kept.'),
    created: z.number().int().describe('New CRM contacts.'),
    updated: z.number().int().describe('Existing CRM contacts whose data changed.'),
    conflicts: z
      .number()
      .int()
      .describe('Fields a person edited that the source now disagrees with (local value kept).'),
    failed: z
      .number()
      .int()
      .describe('Contacts that could not be applied; kept for retry, see failed_contacts.'),
  })
  .describe('What the sync did.');

export const heldDeletionsSchema = z
  .object({
    mode: z.enum(['full', 'incremental']).describe('The listing that would have deleted them.'),
    count: z.number().int().describe('Linked contacts it would have marked deleted.'),
    of: z.number().int().describe('Contacts linked to the source when it was listed.'),
    listed_at: z.string().describe('When it was listed (ISO 8601).'),
    message: z.string().describe('Why they were held, and how to confirm them or clear the hold.'),
  })
  .nullable()
  .describe(
    'Deletions held for a person to confirm: a listing would have marked deleted every linked contact, or too large a share of them at once. Null when none are held.',
  );
