import { describe, expect, it } from 'vitest';
import { ProviderError } from '../provider/provider-error.js';
import { recoverListing } from './listing-recovery.js';
import { advanceListing, fallBackToFull, restartListing, startListing } from './listing-state.js';

const clock = { now: () => new Date('2026-03-01T08:00:00Z') };
const incremental = startListing({ requested: 'auto', syncCursor: 'c1', checkpoint: null, clock });
const full = startListing({ requested: 'full', syncCursor: null, checkpoint: null, clock });
const paging = (listing: typeof full) =>
  advanceListing(listing, { nextPageToken: 't2', deletionsRecorded: false });
const error = (code: ConstructorParameters<typeof ProviderError>[0]) =>
  new ProviderError(code, `The source said ${code}.`);

describe('recoverListing', () => {
  it('falls back to a full listing when the cursor of an incremental one expired, at any page', () => {
    expect(recoverListing(error('CURSOR_EXPIRED'), incremental)).toBe('full_sync_now');
    expect(recoverListing(error('CURSOR_EXPIRED'), paging(incremental))).toBe('full_sync_now');
  });

  it('ends the cycle of a full listing whose cursor expired: it has none to lose', () => {
    expect(recoverListing(error('CURSOR_EXPIRED'), full)).toBe('end_cycle');
    expect(recoverListing(error('CURSOR_EXPIRED'), fallBackToFull(incremental))).toBe('end_cycle');
  });

  it('restarts a listing whose page token was refused, once per cycle', () => {
    expect(recoverListing(error('PAGE_TOKEN_REFUSED'), paging(full))).toBe('restart_listing');
    expect(recoverListing(error('PAGE_TOKEN_REFUSED'), paging(incremental))).toBe('restart_listing');
    expect(recoverListing(error('PAGE_TOKEN_REFUSED'), paging(restartListing(paging(full))))).toBe(
      'end_cycle',
    );
    // PERMANENT while paging is the deprecated spelling of the same (providers written before).
    expect(recoverListing(error('PERMANENT'), paging(full))).toBe('restart_listing');
    expect(recoverListing(error('PERMANENT'), paging(incremental))).toBe('restart_listing');
    expect(recoverListing(error('PERMANENT'), paging(restartListing(paging(full))))).toBe('end_cycle');
  });

  it('ends the cycle of a listing refused at its first page: there is no page token to blame', () => {
    expect(recoverListing(error('PERMANENT'), full)).toBe('end_cycle');
    expect(recoverListing(error('PAGE_TOKEN_REFUSED'), full)).toBe('end_cycle');
  });

  it('ends the cycle on every other error, with or without a page token', () => {
    for (const code of ['AUTH_FAILED', 'RATE_LIMITED', 'TEMPORARY', 'NOT_SUPPORTED'] as const) {
      expect(recoverListing(error(code), incremental)).toBe('end_cycle');
      expect(recoverListing(error(code), paging(full))).toBe('end_cycle');
    }
  });
});
