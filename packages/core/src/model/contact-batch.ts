import { z } from 'zod';
import { CanonicalContact, CanonicalGroup } from './canonical-contact.js';

/**
 * One page a provider returns. `next_page_token` is null on the last page; `next_sync_cursor`
 * comes with the last page (the cursor for the next incremental sync); `checkpoint` is what the
 * engine stores with the page so that a crashed sync resumes after it.
 *
 * Contacts stay `unknown` here: the engine validates each one on its own, so one malformed
 * contact fails alone instead of failing its page.
 *
 * @example
 * ```ts
 * const page: ContactBatch = { contacts: [person], groups: [], next_page_token: 'p2', next_sync_cursor: null, checkpoint: { page: 'p2' } };
 * ```
 */
export const ContactBatch = z.object({
  contacts: z.array(z.unknown()),
  groups: z.array(CanonicalGroup).default([]),
  next_page_token: z.string().nullish(),
  next_sync_cursor: z.string().nullish(),
  checkpoint: z.record(z.string(), z.unknown()).nullish(),
});
export type ContactBatch = z.input<typeof ContactBatch>;

export { CanonicalContact };

/**
 * A page after validation: defaults applied.
 *
 * @example
 * ```ts
 * const page: ParsedContactBatch = ContactBatch.parse(await provider.fullSync({}));
 * page.groups; // [] when the provider sent none
 * ```
 */
export type ParsedContactBatch = z.output<typeof ContactBatch>;
