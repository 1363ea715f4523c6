import { ProviderError } from '@contacts/core';
import { z } from 'zod';
import type { GoogleStream } from './google-fields.js';

/**
 * The Google sync tokens a completed sync leaves, one per stream. `otherContacts` is absent when
 * other contacts are not synced.
 *
 * @example
 * ```ts
 * const tokens: GoogleSyncTokens = decodeSyncCursor(state.sync_cursor); // { connections: 'CLT...', otherContacts: 'CPa...' }
 * ```
 */
export interface GoogleSyncTokens {
  connections: string;
  otherContacts?: string;
}

/**
 * Where the next page of a sync starts: the stream, Google's page token within it (absent for a
 * stream's first page), and the connections sync token once that stream is done (carried through
 * the otherContacts pages until the final page, whose cursor holds both).
 */
export interface GooglePagePosition {
  mode: 'full' | 'incremental';
  stream: GoogleStream;
  page?: string;
  connections?: string;
}

const token = z.string().min(1);
const CursorJson = z.object({ v: z.literal(1), connections: token, otherContacts: token.optional() });
const PageTokenJson = z
  .object({
    v: z.literal(1),
    mode: z.enum(['full', 'incremental']),
    stream: z.enum(['connections', 'otherContacts']),
    page: token.optional(),
    connections: token.optional(),
  })
  // The otherContacts stream runs after connections finished, so its pages carry that sync token.
  .refine((position) => position.stream === 'connections' || position.connections !== undefined);

function encode(value: object): string {
  return Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');
}

function decode<T>(text: string, schema: z.ZodType<T>): T | null {
  if (!/^[A-Za-z0-9_-]+$/.test(text)) return null;
  try {
    const parsed = schema.safeParse(JSON.parse(Buffer.from(text, 'base64url').toString('utf8')));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

/**
 * The `next_sync_cursor` of a completed sync: base64url JSON `{v:1, connections, otherContacts?}`.
 * Provider-owned: the engine stores it and hands it back, never reads it.
 *
 * @example
 * ```ts
 * const cursor = encodeSyncCursor({ connections: 'CLT...', otherContacts: 'CPa...' });
 * decodeSyncCursor(cursor); // { connections: 'CLT...', otherContacts: 'CPa...' }
 * ```
 */
export function encodeSyncCursor(tokens: GoogleSyncTokens): string {
  return encode({
    v: 1,
    connections: tokens.connections,
    ...(tokens.otherContacts ? { otherContacts: tokens.otherContacts } : {}),
  });
}

/**
 * Reads a cursor {@link encodeSyncCursor} made. A cursor this provider cannot read (another
 * format, a truncated value) counts as expired: the engine then runs a full sync and stores a
 * fresh one, instead of failing every cycle on a cursor nobody can repair.
 *
 * @throws ProviderError `CURSOR_EXPIRED` when the cursor is not one this provider issued.
 * @example
 * ```ts
 * const { connections, otherContacts } = decodeSyncCursor(state.sync_cursor);
 * ```
 */
export function decodeSyncCursor(cursor: string): GoogleSyncTokens {
  const parsed = decode(cursor, CursorJson);
  if (!parsed) {
    throw new ProviderError(
      'CURSOR_EXPIRED',
      'The stored Google sync cursor is not in a format this provider reads; a full sync will replace it.',
      { provider: 'google' },
    );
  }
  return parsed.otherContacts
    ? { connections: parsed.connections, otherContacts: parsed.otherContacts }
    : { connections: parsed.connections };
}

/**
 * The `next_page_token` of a batch: base64url JSON of a {@link GooglePagePosition}. It carries
 * Google's page token and sync token only, never a credential.
 *
 * @example
 * ```ts
 * encodePageToken({ mode: 'full', stream: 'otherContacts', connections: 'CLT...' });
 * ```
 */
export function encodePageToken(position: GooglePagePosition): string {
  return encode({ v: 1, ...position });
}

/**
 * Reads a page token {@link encodePageToken} made, for the sync `mode` it belongs to. An
 * unreadable token (or one of the other mode) is `PAGE_TOKEN_REFUSED`: that page can never be
 * fetched, and the engine answers a refused checkpoint page by starting the sync over from its
 * first page.
 *
 * @throws ProviderError `PAGE_TOKEN_REFUSED` when the token is not one this provider issued for `mode`.
 * @example
 * ```ts
 * const position = decodePageToken(request.pageToken, 'full'); // { mode: 'full', stream: 'connections', page: '...' }
 * ```
 */
export function decodePageToken(pageToken: string, mode: 'full' | 'incremental'): GooglePagePosition {
  const parsed = decode(pageToken, PageTokenJson);
  if (!parsed || parsed.mode !== mode) {
    throw new ProviderError(
      'PAGE_TOKEN_REFUSED',
      `The page token is not one this provider issued for a ${mode} sync; start the sync from its first page.`,
      { provider: 'google' },
    );
  }
  const { v: _version, ...position } = parsed;
  return position;
}
