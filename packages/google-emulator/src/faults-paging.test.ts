import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createManualClock } from './clock.js';
import { type GoogleEmulator, startGoogleEmulator } from './server.js';
import { client } from './test-support.js';

// Issue 11, defect 3 and 2: the servers that never end a listing (a repeated page token, A, B, A,
// endless fresh pages) and the one that answers a full listing with nobody and a valid sync token.
let emulator: GoogleEmulator;
let api: ReturnType<typeof client>;

beforeEach(async () => {
  emulator = await startGoogleEmulator({ seed: 5, people: 12, clock: createManualClock() });
  api = client(emulator);
});
afterEach(() => emulator.close());

const LIST = { personFields: 'names', pageSize: 5, requestSyncToken: true };

describe('paging faults', () => {
  it('`repeatPageToken` answers the page asked for with the token it was asked with (A, A)', async () => {
    emulator.admin.injectFault({ kind: 'repeatPageToken', endpoint: 'connections', times: 3 });
    const first = await api.connections(LIST);
    const a = first.body.nextPageToken!;
    const second = await api.connections({ ...LIST, pageToken: a });
    expect(second.status).toBe(200);
    expect(second.body.connections).toHaveLength(5);
    expect(second.body.nextPageToken).toBe(a);
    expect(second.body.nextSyncToken).toBeUndefined();
    expect((await api.connections({ ...LIST, pageToken: a })).body.nextPageToken).toBe(a);
    expect(emulator.admin.requests('connections').map((r) => r.fault ?? null)).toEqual([
      null,
      'repeatPageToken',
      'repeatPageToken',
    ]);
  });

  it('`cyclePageToken` hands back the token of the request before (A, B, A)', async () => {
    emulator.admin.injectFault({
      kind: 'cyclePageToken',
      endpoint: 'connections',
      when: 'withPageToken',
      after: 1,
    });
    const a = (await api.connections(LIST)).body.nextPageToken!;
    const b = (await api.connections({ ...LIST, pageToken: a })).body.nextPageToken!;
    expect(b).not.toBe(a);
    const third = await api.connections({ ...LIST, pageToken: b });
    expect(third.status).toBe(200);
    expect(third.body.nextPageToken).toBe(a);
  });

  it('`endlessPages` serves fresh people and fresh tokens, whatever was asked', async () => {
    emulator.admin.injectFault({ kind: 'endlessPages', endpoint: 'connections', times: 3 });
    const seen = new Set<string>();
    const tokens = new Set<string>();
    let pageToken: string | undefined;
    for (let i = 0; i < 3; i += 1) {
      const page = await api.connections({ ...LIST, pageToken });
      expect(page.status).toBe(200);
      for (const person of page.body.connections ?? []) seen.add(person.resourceName);
      pageToken = page.body.nextPageToken;
      tokens.add(pageToken!);
    }
    expect(seen.size).toBe(15);
    expect(tokens.size).toBe(3);
    // Once the fault is spent, its made-up token is refused like any unknown one.
    expect((await api.connections({ ...LIST, pageToken })).status).toBe(400);
    emulator.admin.injectFault({ kind: 'endlessPages', endpoint: 'contactGroups' });
    const groups = await api.contactGroups({ pageSize: 2 });
    expect(groups.body.contactGroups?.map((g) => g.name)).toEqual(['Endless 16', 'Endless 17']);
  });

  it('`emptyListing` answers a full listing with nobody and a sync token that works', async () => {
    emulator.admin.injectFault({ kind: 'emptyListing', endpoint: 'connections' });
    const empty = await api.connections(LIST);
    expect(empty.status).toBe(200);
    expect(empty.body.connections).toBeUndefined();
    expect(empty.body.nextPageToken).toBeUndefined();
    const token = empty.body.nextSyncToken!;
    expect(token).toBeTruthy();
    // Valid: nothing changed since, so an incremental listing from it is empty too, and a later
    // change comes through it.
    const since = await api.connections({ ...LIST, syncToken: token });
    expect(since.status).toBe(200);
    expect(since.body.connections).toBeUndefined();
    emulator.admin.updatePerson(emulator.admin.people()[0]!.resourceName, {
      nicknames: [{ value: 'Changed' }],
    });
    expect((await api.connections({ ...LIST, syncToken: token })).body.connections).toHaveLength(1);
    // It never strikes an incremental listing.
    emulator.admin.injectFault({ kind: 'emptyListing', endpoint: 'connections', when: 'withSyncToken' });
    expect((await api.connections({ ...LIST, syncToken: token })).body.connections).toHaveLength(1);
  });
});
