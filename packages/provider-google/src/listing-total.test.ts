import type { GoogleEmulator } from '@contacts/google-emulator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, syncPages, testProvider } from './test-support.js';

// Issue 14: Google says how many people a full listing holds (`totalPeople`); the pages carry it,
// so a sync can show "n of N", a percentage and an ETA.
describe('GoogleContactsProvider: the listing total', () => {
  let emulator: GoogleEmulator;
  beforeAll(async () => {
    emulator = await startEmulator({ people: 250, otherContacts: 4 });
  });
  afterAll(() => emulator.close());

  it('carries totalPeople on every page of a full sync of connections', async () => {
    const pages = await syncPages(testProvider(emulator, { pageSize: 100 }).provider);
    expect(pages.map((p) => [p.contacts.length, p.total])).toEqual([
      [100, 250],
      [100, 250],
      [50, 250],
    ]);
  });

  it('leaves it out where the list size is not the listing size: incremental, or with other contacts', async () => {
    const full = await syncPages(testProvider(emulator).provider);
    const cursor = full.at(-1)?.next_sync_cursor as string;
    const changes = await syncPages(testProvider(emulator).provider, cursor);
    expect(changes.every((p) => p.total === undefined)).toBe(true);
    const both = await syncPages(testProvider(emulator, { includeOtherContacts: true }).provider);
    expect(both.length).toBeGreaterThan(1);
    expect(both.every((p) => p.total === undefined)).toBe(true);
  });
});
