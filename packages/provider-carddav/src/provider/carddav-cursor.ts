import { ProviderError } from '@contacts/core';
import { z } from 'zod';

const BookMark = z.strictObject({ t: z.string().nullable(), c: z.string().nullable() });

/**
 * Where one book stood when it was last listed: its sync-token (`t`) and ctag (`c`), as sent.
 *
 * @example
 * ```ts
 * const mark: BookMark = { t: 'http://radicale.org/ns/sync/abc', c: null };
 * ```
 */
export type BookMark = z.infer<typeof BookMark>;

const SyncCursor = z.strictObject({ v: z.literal(1), books: z.record(z.string(), BookMark) });

/**
 * The provider's sync cursor: per book URL, the {@link BookMark} of the last complete listing.
 *
 * @example
 * ```ts
 * const cursor: SyncCursor = { v: 1, books: { 'https://dav.example.org/ada/book/': { t: 'tok', c: null } } };
 * ```
 */
export type SyncCursor = z.infer<typeof SyncCursor>;

const PageToken = z.strictObject({
  v: z.literal(1),
  /** The book being listed (an index into the discovered books, sorted by URL). */
  b: z.number().int().min(0),
  /**
   * `sync`: sync-collection from `from`; `list`: the PROPFIND Depth 1 ETag listing; `start`: the
   * book is not reached yet (how it lists is chosen from its state then).
   */
  m: z.enum(['start', 'sync', 'list']),
  /** The token the sync-collection REPORT is sent with (a 507 continuation moves it on). */
  from: z.string(),
  /** The last card id served from this answer: members go out in id order, after it. */
  after: z.string(),
  /** Books already listed in this sync, with the mark each ended at. */
  done: z.record(z.string(), BookMark),
  /** The cursor the sync started from (incremental), so books not yet reached keep their mark. */
  base: z.record(z.string(), BookMark).nullable(),
});

/**
 * A page token of the CardDAV provider: where a listing of several books stands, so a crash
 * resumes after the last committed page.
 *
 * @example
 * ```ts
 * const token: PageToken = { v: 1, b: 0, m: 'sync', from: '', after: '/ada/book/7.vcf', done: {}, base: null };
 * ```
 */
export type PageToken = z.infer<typeof PageToken>;

function decode<T>(
  schema: z.ZodType<T>,
  text: string,
  what: string,
  code: 'CURSOR_EXPIRED' | 'PAGE_TOKEN_REFUSED',
): T {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success)
    throw new ProviderError(
      code,
      `The CardDAV ${what} is not one this provider wrote: a full sync follows.`,
      {
        provider: 'carddav',
      },
    );
  return parsed.data;
}

/**
 * Reads a sync cursor; one this provider did not write fails `CURSOR_EXPIRED` (the engine then
 * runs a full sync, which duplicates nobody: cards are known by their href).
 *
 * @example
 * ```ts
 * readCursor('{"v":1,"books":{}}'); // { v: 1, books: {} }
 * ```
 */
export function readCursor(text: string): SyncCursor {
  return decode(SyncCursor, text, 'sync cursor', 'CURSOR_EXPIRED');
}

/**
 * Reads a page token; one this provider did not write fails `PAGE_TOKEN_REFUSED`.
 *
 * @example
 * ```ts
 * readPageToken('{"v":1,"b":0,"m":"sync","from":"","after":"","done":{},"base":null}').b; // 0
 * ```
 */
export function readPageToken(text: string): PageToken {
  return decode(PageToken, text, 'page token', 'PAGE_TOKEN_REFUSED');
}
