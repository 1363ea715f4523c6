import { describe, expect, it } from 'vitest';
import type { Checkpoint } from './checkpoint.js';
import {
  advanceListing,
  fallBackToFull,
  type ListingStart,
  type ListingState,
  RESUMED_SWEEP_WINDOW_MS,
  restartListing,
  startListing,
} from './listing-state.js';

const at = Date.parse('2026-03-01T08:00:00Z');
const clock = { now: () => new Date(at) };
const start = (over: Partial<ListingStart> = {}): ListingState =>
  startListing({ requested: 'auto', syncCursor: null, checkpoint: null, clock, ...over });
/** A stored checkpoint of a full listing, saved `ago` ms before now. */
const fullCheckpoint = (ago: number, seenRecorded = true) => ({
  mode: 'full',
  pageToken: 't3',
  cursor: null,
  pages: 2,
  items: 20,
  seenRecorded,
  savedAt: new Date(at - ago).toISOString(),
});

describe('startListing', () => {
  it('starts a full listing without a cursor, one that can tombstone what it does not see', () => {
    expect(start()).toEqual({
      kind: 'full',
      cursor: null,
      pageToken: null,
      resumedFrom: null,
      knowsWhatItSaw: true,
      startsOver: true,
      deletionsRecorded: false,
      cursorExpired: false,
      restarted: false,
    });
  });

  it('starts an incremental listing from the cursor, leaving the seen ids alone without a checkpoint', () => {
    expect(start({ syncCursor: 'c1' })).toMatchObject({
      kind: 'incremental',
      cursor: 'c1',
      pageToken: null,
      knowsWhatItSaw: false,
      startsOver: false,
    });
  });

  it('starts a full listing when one is requested, over a cursor and a checkpoint', () => {
    const listing = start({ requested: 'full', syncCursor: 'c1', checkpoint: fullCheckpoint(0) });
    expect(listing).toMatchObject({
      kind: 'full',
      cursor: 'c1',
      pageToken: null,
      resumedFrom: null,
      startsOver: true,
    });
  });

  it('resumes a checkpoint: its kind, page token and counts, keeping what its pages recorded', () => {
    const listing = start({
      syncCursor: 'c1',
      checkpoint: {
        mode: 'incremental',
        pageToken: 't2',
        cursor: 'c0',
        pages: 1,
        items: 3,
        deletionsRecorded: true,
      },
    });
    expect(listing).toMatchObject({
      kind: 'incremental',
      cursor: 'c0',
      pageToken: 't2',
      knowsWhatItSaw: false,
      startsOver: false,
      deletionsRecorded: true,
    });
    expect(listing.resumedFrom).toMatchObject<Partial<Checkpoint>>({ pageToken: 't2', pages: 1, items: 3 });
  });

  it('judges a resumed full listing by how long ago its last page committed and whether its pages recorded what they saw', () => {
    expect(start({ checkpoint: fullCheckpoint(RESUMED_SWEEP_WINDOW_MS) }).knowsWhatItSaw).toBe(true);
    expect(start({ checkpoint: fullCheckpoint(RESUMED_SWEEP_WINDOW_MS + 1) }).knowsWhatItSaw).toBe(false);
    expect(start({ checkpoint: fullCheckpoint(0, false) }).knowsWhatItSaw).toBe(false);
    const { savedAt: _, ...undated } = fullCheckpoint(0);
    expect(start({ checkpoint: undated }).knowsWhatItSaw).toBe(false);
  });

  it('ignores a checkpoint this code did not write, and clears what it may have recorded', () => {
    expect(start({ syncCursor: 'c1', checkpoint: { mode: 'sideways', pageToken: 't' } })).toMatchObject({
      kind: 'incremental',
      pageToken: null,
      resumedFrom: null,
      startsOver: true,
    });
  });
});

describe('fallBackToFull', () => {
  it('lists everything from the first page, forgetting the cursor and the checkpoint', () => {
    const resumed = start({
      syncCursor: 'c1',
      checkpoint: { mode: 'incremental', pageToken: 't2', cursor: 'c1', deletionsRecorded: true },
    });
    expect(fallBackToFull(resumed)).toEqual({
      kind: 'full',
      cursor: null,
      pageToken: null,
      resumedFrom: null,
      knowsWhatItSaw: true,
      startsOver: true,
      deletionsRecorded: false,
      cursorExpired: true,
      restarted: false,
    });
  });
});

describe('restartListing', () => {
  it('starts the same listing over from its first page, once', () => {
    const resumed = start({ checkpoint: fullCheckpoint(RESUMED_SWEEP_WINDOW_MS * 2) });
    expect(resumed.knowsWhatItSaw).toBe(false);
    expect(restartListing(resumed)).toMatchObject({
      kind: 'full',
      pageToken: null,
      resumedFrom: null,
      knowsWhatItSaw: true,
      startsOver: true,
      restarted: true,
    });
  });

  it('keeps an incremental listing incremental, at its cursor, without its recorded deletions', () => {
    const listing = advanceListing(start({ syncCursor: 'c1' }), {
      nextPageToken: 't2',
      deletionsRecorded: true,
    });
    expect(restartListing(listing)).toMatchObject({
      kind: 'incremental',
      cursor: 'c1',
      pageToken: null,
      knowsWhatItSaw: false,
      startsOver: true,
      deletionsRecorded: false,
      restarted: true,
    });
  });
});

describe('advanceListing', () => {
  it('goes on at the next page token with what the page recorded, no longer a first page or a resume', () => {
    const resumed = start({ checkpoint: fullCheckpoint(0) });
    const next = advanceListing(resumed, { nextPageToken: 't4', deletionsRecorded: false });
    expect(next).toEqual({ ...resumed, pageToken: 't4', resumedFrom: null, startsOver: false });
    expect(advanceListing(next, { nextPageToken: null, deletionsRecorded: false }).pageToken).toBeNull();
  });

  it('keeps what the cycle did to the listing before: a fallback or a restart', () => {
    const fallen = restartListing(fallBackToFull(start({ syncCursor: 'c1' })));
    expect(advanceListing(fallen, { nextPageToken: 't2', deletionsRecorded: false })).toMatchObject({
      cursorExpired: true,
      restarted: true,
      knowsWhatItSaw: true,
    });
  });
});
