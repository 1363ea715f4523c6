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
 * const page: ContactBatch = { contacts: [person], groups: [], next_page_token: 'p2', next_sync_cursor: null, checkpoint: { page: 'p2' }, total: 1200 };
 * ```
 */
export const ContactBatch = z.object({
  contacts: z.array(z.unknown()),
  /**
   * Ids the source listed whose version is the one the engine holds (the provider asked with
   * `knownEtags`): seen, and unchanged, so neither sent nor written. A full sync's sweep does not
   * tombstone them; the summary counts them as `unchanged`. Only ids the lookup answered with
   * the very version the source lists belong here.
   */
  unchanged: z.array(z.string()).default([]),
  groups: z.array(CanonicalGroup).default([]),
  next_page_token: z.string().nullish(),
  next_sync_cursor: z.string().nullish(),
  checkpoint: z.record(z.string(), z.unknown()).nullish(),
  /**
   * How many contacts the whole listing holds, when the source says (Google's `totalPeople`):
   * only for progress ("n of N", a percentage, an ETA). Absent when the source does not know; a
   * value that is no count is dropped rather than failing the page (it is a hint, not data).
   */
  total: z.number().int().nonnegative().nullish().catch(null),
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
