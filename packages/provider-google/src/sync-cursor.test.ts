import { ProviderError } from '@contacts/core';
import { describe, expect, it } from 'vitest';
import { decodePageToken, decodeSyncCursor, encodePageToken, encodeSyncCursor } from './sync-cursor.js';

describe('sync cursor', () => {
  it('round-trips one or both stream tokens as base64url JSON', () => {
    const both = encodeSyncCursor({ connections: 'c-tok', otherContacts: 'o-tok' });
    expect(both).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(JSON.parse(Buffer.from(both, 'base64url').toString())).toEqual({
      v: 1,
      connections: 'c-tok',
      otherContacts: 'o-tok',
    });
    expect(decodeSyncCursor(both)).toEqual({ connections: 'c-tok', otherContacts: 'o-tok' });
    expect(decodeSyncCursor(encodeSyncCursor({ connections: 'c' }))).toEqual({ connections: 'c' });
  });

  it('reports a cursor it did not issue as expired, so a full sync replaces it', () => {
    for (const bad of [
      '',
      '%%not-a-cursor%%',
      'CLTaxxxx-bare-google-token',
      Buffer.from('{"v":2,"connections":"x"}').toString('base64url'),
    ]) {
      const error = (() => {
        try {
          decodeSyncCursor(bad);
        } catch (e) {
          return e;
        }
      })();
      expect(error).toBeInstanceOf(ProviderError);
      expect((error as ProviderError).code).toBe('CURSOR_EXPIRED');
    }
  });
});

describe('page token', () => {
  it('round-trips a position for its mode', () => {
    const token = encodePageToken({
      mode: 'full',
      stream: 'otherContacts',
      page: 'g-page',
      connections: 'c-tok',
    });
    expect(decodePageToken(token, 'full')).toEqual({
      mode: 'full',
      stream: 'otherContacts',
      page: 'g-page',
      connections: 'c-tok',
    });
  });

  it('refuses a token of the other mode, or an otherContacts page without the connections token', () => {
    const full = encodePageToken({ mode: 'full', stream: 'connections', page: 'p' });
    expect(() => decodePageToken(full, 'incremental')).toThrow(ProviderError);
    // PAGE_TOKEN_REFUSED: the engine then drops the checkpoint and starts the sync over.
    expect(() => decodePageToken('garbage!', 'full')).toThrow(
      expect.objectContaining({ code: 'PAGE_TOKEN_REFUSED' }),
    );
    const broken = Buffer.from(JSON.stringify({ v: 1, mode: 'full', stream: 'otherContacts' })).toString(
      'base64url',
    );
    expect(() => decodePageToken(broken, 'full')).toThrow(/page token/);
  });
});
