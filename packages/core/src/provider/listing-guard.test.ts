import { describe, expect, it } from 'vitest';
import { ListingGuard, type ListingGuardOptions } from './listing-guard.js';
import { ProviderError } from './provider-error.js';

// Issue 11, defect 3: paging never ended. The one shared piece every listing uses.
const options: ListingGuardOptions = {
  provider: 'google',
  listing: 'full contacts listing',
  itemName: 'contacts',
  limits: { maxPages: 5, maxItems: 100 },
};

function stopOf(run: () => void): ProviderError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(ProviderError);
    return error as ProviderError;
  }
  throw new Error('expected the listing to be stopped');
}

describe('ListingGuard', () => {
  it('lets a listing of fresh tokens through, up to its bounds', () => {
    const guard = new ListingGuard(options);
    guard.accept(20, 'A');
    guard.accept(20, 'B');
    guard.accept(20, null);
    expect([guard.pages, guard.items]).toEqual([3, 60]);
  });

  it('stops a token repeated at once (A, A), naming the pages and the provider', () => {
    const guard = new ListingGuard(options);
    guard.accept(10, 'A');
    const error = stopOf(() => guard.accept(10, 'A'));
    expect(error.code).toBe('TEMPORARY');
    expect(error.provider).toBe('google');
    expect(error.message).toBe(
      'The google server repeated the page token of page 1 at page 2 of its full contacts listing: a listing that loops never ends, so it was stopped (the next sync tries again).',
    );
    // Nothing recorded by the refused page.
    expect([guard.pages, guard.items]).toEqual([1, 10]);
  });

  it('stops a cycle of tokens (A, B, A)', () => {
    const guard = new ListingGuard(options);
    guard.accept(1, 'A');
    guard.accept(1, 'B');
    expect(stopOf(() => guard.accept(1, 'A')).message).toContain('page token of page 1 at page 3');
  });

  it('remembers the token a resumed listing started from, and the pages and items before it', () => {
    const guard = new ListingGuard({ ...options, resumeToken: 'R', pagesBefore: 2, itemsBefore: 90 });
    expect(stopOf(() => guard.accept(1, 'R')).message).toContain('page token of page 2 at page 3');
    const fresh = new ListingGuard({ ...options, resumeToken: 'R' });
    expect(stopOf(() => fresh.accept(1, 'R')).message).toContain(
      'page token of the page this sync resumed from at page 1',
    );
    expect(stopOf(() => guard.accept(11, 'S')).message).toContain('(101 by page 3, at most 100)');
  });

  it('stops a listing of fresh tokens past its pages or its items', () => {
    const guard = new ListingGuard(options);
    for (let page = 1; page <= 5; page += 1) guard.accept(0, `T${page}`);
    expect(stopOf(() => guard.accept(0, 'T6')).message).toBe(
      'The google server did not end its full contacts listing within 5 pages: it was stopped at page 6 (the next sync tries again).',
    );
    const many = new ListingGuard(options);
    many.accept(60, 'A');
    expect(stopOf(() => many.accept(41, 'B')).message).toBe(
      'The google server sent more contacts in its full contacts listing than any account there holds (101 by page 2, at most 100): it was stopped before page 2 was used (the next sync tries again).',
    );
    // A last page over the bound is refused too: the listing holds more than any account can.
    expect(() => many.accept(41, null)).toThrow(ProviderError);
  });
});
