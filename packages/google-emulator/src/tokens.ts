import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { GoogleHttpError, googleErrors } from './errors.js';

/** The list methods that issue page and sync tokens. */
export type ListEndpoint = 'connections' | 'otherContacts' | 'contactGroups';

// A token is base64url(JSON payload || 16-byte HMAC-SHA256 of it). The payload carries the id of
// the emulator run that issued it, so a token from an earlier run is recognized as such (and a
// sync token from one is answered as expired, like Google answers a token it has forgotten),
// while a token that was edited fails the MAC and is a 400.
const MAC_BYTES = 16;
const ENDPOINTS = ['connections', 'otherContacts', 'contactGroups'] as const;

const pagePayload = z.strictObject({
  k: z.literal('p'),
  i: z.string(),
  e: z.enum(ENDPOINTS),
  f: z.string(),
  c: z.number().int().nonnegative(),
  n: z.string().optional(),
  h: z.number().int().nonnegative(),
});
const syncPayload = z.strictObject({
  k: z.literal('s'),
  i: z.string(),
  e: z.enum(ENDPOINTS),
  f: z.string(),
  q: z.number().int().nonnegative(),
  t: z.number().int(),
});

/** Where a page token resumes: after `cursor` (and `sortKey` for name orders). */
export interface PagePosition {
  cursor: number;
  sortKey?: string;
  /** The change sequence when the listing began: the `nextSyncToken` the last page will carry. */
  highWater: number;
}

/** Issues and checks the opaque page and sync tokens of one emulator run. */
export class TokenCodec {
  constructor(
    private readonly instanceId: string,
    private readonly secret: Buffer,
  ) {}

  /** A short digest of the request parameters a token is bound to. */
  static fingerprint(parts: Record<string, unknown>): string {
    return createHash('sha256').update(JSON.stringify(parts)).digest('base64url').slice(0, 16);
  }

  encodePage(endpoint: ListEndpoint, fingerprint: string, position: PagePosition): string {
    return this.seal({
      k: 'p',
      i: this.instanceId,
      e: endpoint,
      f: fingerprint,
      c: position.cursor,
      ...(position.sortKey === undefined ? {} : { n: position.sortKey }),
      h: position.highWater,
    });
  }

  decodePage(token: string, endpoint: ListEndpoint, fingerprint: string): PagePosition {
    const opened = this.open(token);
    const payload = opened.state === 'ok' ? pagePayload.safeParse(opened.payload) : undefined;
    if (!payload?.success || payload.data.e !== endpoint) {
      throw GoogleHttpError.invalidArgument(
        'Invalid pageToken: it is malformed, was edited, or was not issued by this method of this server.',
      );
    }
    if (payload.data.f !== fingerprint) {
      throw GoogleHttpError.invalidArgument(
        'pageToken does not match the request that issued it: when paginating, every parameter other than ' +
          'pageToken must equal the first call (field mask, pageSize, sortOrder, sources, syncToken, requestSyncToken).',
      );
    }
    const { c, n, h } = payload.data;
    return { cursor: c, highWater: h, ...(n === undefined ? {} : { sortKey: n }) };
  }

  encodeSync(endpoint: ListEndpoint, fingerprint: string, seq: number, issuedAt: number): string {
    return this.seal({
      k: 's',
      i: this.instanceId,
      e: endpoint,
      f: fingerprint,
      q: seq,
      t: Math.floor(issuedAt),
    });
  }

  /** Returns the change sequence the token stands for, or throws the 400 Google would send. */
  decodeSync(
    token: string,
    endpoint: ListEndpoint,
    fingerprint: string,
    clock: { now: number; ttlMs: number },
  ): number {
    const opened = this.open(token);
    if (opened.state === 'foreign') throw GoogleHttpError.of(googleErrors.expiredSyncToken());
    const payload = opened.state === 'ok' ? syncPayload.safeParse(opened.payload) : undefined;
    if (!payload?.success || payload.data.e !== endpoint) {
      throw GoogleHttpError.invalidArgument(
        'Invalid syncToken: it is malformed, was edited, or was not issued by this method of this server.',
      );
    }
    if (clock.now - payload.data.t >= clock.ttlMs) throw GoogleHttpError.of(googleErrors.expiredSyncToken());
    if (payload.data.f !== fingerprint) {
      throw GoogleHttpError.invalidArgument(
        'syncToken does not match the request: the field mask and sources must equal those of the call that issued it.',
      );
    }
    return payload.data.q;
  }

  private mac(body: Buffer): Buffer {
    return createHmac('sha256', this.secret).update(body).digest().subarray(0, MAC_BYTES);
  }

  private seal(payload: Record<string, unknown>): string {
    const body = Buffer.from(JSON.stringify(payload), 'utf8');
    return Buffer.concat([body, this.mac(body)]).toString('base64url');
  }

  private open(token: string): { state: 'ok'; payload: unknown } | { state: 'malformed' | 'foreign' } {
    // Node's base64url decoder skips characters outside the alphabet; check the alphabet first.
    if (!/^[A-Za-z0-9_-]{24,4096}$/.test(token)) return { state: 'malformed' };
    const bytes = Buffer.from(token, 'base64url');
    if (bytes.length <= MAC_BYTES) return { state: 'malformed' };
    const body = bytes.subarray(0, bytes.length - MAC_BYTES);
    let payload: unknown;
    try {
      payload = JSON.parse(body.toString('utf8'));
    } catch {
      return { state: 'malformed' };
    }
    if (typeof payload !== 'object' || payload === null || !('i' in payload)) return { state: 'malformed' };
    if (payload.i !== this.instanceId) return { state: 'foreign' };
    const mac = bytes.subarray(bytes.length - MAC_BYTES);
    if (!timingSafeEqual(mac, this.mac(body))) return { state: 'malformed' };
    return { state: 'ok', payload };
  }
}
