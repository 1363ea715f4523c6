import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EmulatorCredentials } from '../auth.js';
import { createManualClock } from '../clock.js';
import { type GoogleEmulator, startGoogleEmulator } from '../server.js';
import { type Answer, call, withParams } from '../test-support.js';
import type { Person } from '../types.js';
import { fleetCredentials } from './credentials.js';

const SEED = 11;
let emulator: GoogleEmulator;

beforeAll(async () => {
  emulator = await startGoogleEmulator({
    seed: SEED,
    people: 5,
    clock: createManualClock(),
    // Ten people a book, four of them from a pool of six: two books always share some.
    fleet: { accounts: 50, peoplePerAccount: 10, sharedShare: 0.4, sharedPeople: 6, clients: 2 },
  });
});
afterAll(() => emulator.close());

const fleet = () => {
  if (!emulator.fleet) throw new Error('no fleet');
  return emulator.fleet;
};

function tokenGrant(
  credentials: EmulatorCredentials,
  refreshToken = credentials.refreshToken,
): Promise<Answer> {
  return call(emulator.tokenUrl, emulator.tokenUrl, {
    method: 'POST',
    body: new URLSearchParams({
      client_id: credentials.clientId,
      client_secret: credentials.clientSecret,
      refresh_token: refreshToken,
      grant_type: 'refresh_token',
    }),
  });
}

/** An access token for account `index` through the token endpoint, as a sync worker gets one. */
async function accessTokenOf(index: number): Promise<string> {
  const answer = await tokenGrant(fleet().credentials(index));
  expect(answer.status).toBe(200);
  return answer.body.access_token as string;
}

const list = (token: string, params: Record<string, string | number | boolean> = {}) =>
  call(
    emulator.url,
    withParams('v1/people/me/connections', { personFields: 'names,emailAddresses,phoneNumbers', ...params }),
    { headers: { authorization: `Bearer ${token}` } },
  );

async function listAll(token: string): Promise<Person[]> {
  const answer = await list(token, { pageSize: 1000 });
  expect(answer.status).toBe(200);
  return answer.body.connections ?? [];
}

const identity = (person: Person | undefined) => ({
  names: person?.names?.map((name) => name.displayName),
  emails: person?.emailAddresses?.map((email) => email.value),
  phones: person?.phoneNumbers?.map((phone) => phone.canonicalForm ?? phone.value),
});

describe('a fleet of accounts', () => {
  it('generates a book only when its account is first used', async () => {
    const fresh = await startGoogleEmulator({ seed: 3, fleet: { accounts: 1_000_000 } });
    try {
      expect(fresh.fleet?.generatedAccounts()).toBe(0);
      fresh.fleet?.credentials(999_999); // credentials need no book
      expect(fresh.fleet?.generatedAccounts()).toBe(0);
      const token = fresh.fleet?.issueAccessToken(123_456).accessToken;
      const answer = await call(
        fresh.url,
        withParams('v1/people/me/connections', { personFields: 'names' }),
        {
          headers: { authorization: `Bearer ${token}` },
        },
      );
      expect(answer.status).toBe(200);
      expect(answer.body.totalItems).toBe(200);
      expect(fresh.fleet?.generatedAccounts()).toBe(1);
    } finally {
      await fresh.close();
    }
  });

  it('serves each account its own book, chosen by the refresh token', async () => {
    const [zero, one] = [await listAll(await accessTokenOf(0)), await listAll(await accessTokenOf(1))];
    expect(zero).toHaveLength(10);
    expect(one).toHaveLength(10);
    expect(zero.map((p) => p.resourceName).sort()).toEqual(
      fleet()
        .account(0)
        .people()
        .map((p) => p.resourceName)
        .sort(),
    );
    const names = new Set(zero.map((p) => p.resourceName));
    expect(one.some((p) => names.has(p.resourceName))).toBe(false);
  });

  it('puts the same shared person in several books, under each book own resource name', async () => {
    const [zero, one] = [await listAll(await accessTokenOf(0)), await listAll(await accessTokenOf(1))];
    const byName = (people: Person[]) => new Map(people.map((p) => [p.resourceName, p]));
    const [served0, served1] = [byName(zero), byName(one)];
    const placed1 = new Map(
      fleet()
        .account(1)
        .shared()
        .map((s) => [s.sharedId, s.resourceName]),
    );
    const both = fleet()
      .account(0)
      .shared()
      .filter((s) => placed1.has(s.sharedId));
    expect(both.length).toBeGreaterThan(0); // 4 of 6 in each book: at least 2 in common
    for (const { sharedId, resourceName } of both) {
      const there = placed1.get(sharedId) as string;
      expect(there).not.toBe(resourceName);
      expect(identity(served1.get(there))).toEqual(identity(served0.get(resourceName)));
      expect(identity(served0.get(resourceName)).names?.length).toBe(1);
    }
  });

  it('gives people of different books different e-mail addresses unless they are the same shared person', () => {
    const owners = new Map<string, string>();
    for (let index = 0; index < 50; index++) {
      const shared = new Map(
        fleet()
          .account(index)
          .shared()
          .map((s) => [s.resourceName, s.sharedId]),
      );
      for (const person of fleet().account(index).people()) {
        const who = shared.has(person.resourceName)
          ? `shared ${shared.get(person.resourceName)}`
          : `own ${index}`;
        for (const email of person.emailAddresses ?? []) {
          const value = (email.value ?? '').toLowerCase();
          const owner = owners.get(value);
          if (owner !== undefined && owner !== who) expect.fail(`${value}: ${owner} and ${who}`);
          owners.set(value, who);
        }
      }
    }
    expect(owners.size).toBeGreaterThan(300);
  });

  it('generates the same book for an account whatever the order accounts are first used in', async () => {
    const other = await startGoogleEmulator({
      seed: SEED,
      fleet: { accounts: 50, peoplePerAccount: 10, sharedShare: 0.4, sharedPeople: 6, clients: 2 },
    });
    try {
      other.fleet?.account(7);
      expect(other.fleet?.account(3).people()).toEqual(fleet().account(3).people());
      expect(other.fleet?.account(3).shared()).toEqual(fleet().account(3).shared());
    } finally {
      await other.close();
    }
  });

  it('keeps the emulator own account and credentials as they were', async () => {
    const answer = await tokenGrant(emulator.credentials);
    expect(answer.status).toBe(200);
    const own = await listAll(answer.body.access_token as string);
    expect(own.map((p) => p.resourceName)).toEqual(emulator.admin.people().map((p) => p.resourceName));
    expect(fleet().clients[0]?.clientId).toBe(emulator.credentials.clientId);
  });

  it('spreads accounts over the clients and binds each refresh token to its client', async () => {
    const three = fleet().credentials(3);
    expect(three).toEqual(fleetCredentials({ seed: SEED, index: 3, clients: 2 }));
    expect(three.clientId).toBe(fleet().clients[1]?.clientId);
    expect(fleet().credentials(4).clientId).toBe(emulator.credentials.clientId);

    const wrongClient = await tokenGrant(fleet().credentials(4), three.refreshToken);
    expect(wrongClient.status).toBe(400);
    expect(wrongClient.body).toEqual({
      error: 'invalid_grant',
      error_description: 'Token has been expired or revoked.',
    });
    const edited = `${three.refreshToken.slice(0, -1)}${three.refreshToken.endsWith('a') ? 'b' : 'a'}`;
    expect((await tokenGrant(three, edited)).status).toBe(400);
    const ownTokenOtherClient = await tokenGrant(three, emulator.credentials.refreshToken);
    expect(ownTokenOtherClient.body.error).toBe('invalid_grant');
  });

  it('revokes one account: invalid_grant and 401 for it, the others go on', async () => {
    const token = await accessTokenOf(5);
    fleet().revoke(5);
    expect((await tokenGrant(fleet().credentials(5))).body.error).toBe('invalid_grant');
    expect((await list(token)).status).toBe(401);
    expect((await list(await accessTokenOf(6))).status).toBe(200);
  });

  it('refuses one account page and sync tokens on another account', async () => {
    const [a, b] = [await accessTokenOf(8), await accessTokenOf(9)];
    const first = await list(a, { pageSize: 3, requestSyncToken: true });
    expect(first.body.nextPageToken).toBeDefined();
    const foreignPage = await list(b, {
      pageSize: 3,
      requestSyncToken: true,
      pageToken: first.body.nextPageToken as string,
    });
    expect(foreignPage.status).toBe(400);
    const full = await list(a, { pageSize: 1000, requestSyncToken: true });
    const foreignSync = await list(b, { syncToken: full.body.nextSyncToken as string });
    expect(foreignSync.status).toBe(400);
    expect(foreignSync.body.error?.details?.[0]?.reason).toBe('EXPIRED_SYNC_TOKEN');
    expect((await list(a, { syncToken: full.body.nextSyncToken as string })).status).toBe(200);
  });

  it('logs which account each request read', async () => {
    emulator.admin.resetRequests();
    await list(await accessTokenOf(12));
    await listAll(fleet().issueAccessToken(13).accessToken);
    const entries = emulator.admin.requests('connections');
    expect(entries.map((entry) => entry.account)).toEqual([12, 13]);
  });

  it('edits one account book through the admin API, in process and over HTTP', async () => {
    const token = await accessTokenOf(20);
    const before = await list(token, { pageSize: 1000, requestSyncToken: true });
    fleet()
      .account(20)
      .addPerson({ names: [{ givenName: 'Ada', familyName: 'Lovelace' }] });
    const added = await call(emulator.adminUrl, 'fleet/accounts/20/people', {
      method: 'POST',
      body: JSON.stringify({ names: [{ givenName: 'Grace', familyName: 'Hopper' }] }),
    });
    expect(added.status).toBe(201);
    const changes = await list(token, { syncToken: before.body.nextSyncToken as string });
    expect(changes.body.connections?.map((p) => p.names?.[0]?.givenName)).toEqual(['Ada', 'Grace']);
    expect(fleet().account(21).people()).toHaveLength(10);

    const described = await call(emulator.adminUrl, 'fleet/accounts/20');
    expect(described.body).toEqual({
      index: 20,
      client: 0,
      credentials: fleet().credentials(20),
      shared: fleet().account(20).shared(),
    });
    expect((await call(emulator.adminUrl, 'fleet/accounts/50')).status).toBe(404);
    const summary = await call(emulator.adminUrl, 'fleet');
    expect(summary.body).toMatchObject({ accounts: 50, sharedPeople: 6, clients: fleet().clients });
  });
});

describe('faults of one account or one client', () => {
  it('strikes only the requests of the account or client named', async () => {
    // Accounts 30 and 32 on client 0, 31 on client 1.
    const [a30, a31, a32] = [await accessTokenOf(30), await accessTokenOf(31), await accessTokenOf(32)];
    emulator.admin.injectFault({ kind: 'serverError', status: 503, endpoint: 'connections', account: 30 });
    expect((await list(a32)).status).toBe(200);
    expect((await list(a30)).status).toBe(503);
    expect((await list(a30)).status).toBe(200);

    emulator.admin.injectFault({ kind: 'rateLimit', endpoint: 'any', client: 1, times: 3 });
    expect((await list(a30)).status).toBe(200);
    expect((await list(a32)).status).toBe(200);
    const storm = [await list(a31), await list(a31), await list(a31), await list(a31)];
    expect(storm.map((answer) => answer.status)).toEqual([429, 429, 429, 200]);
    // The token endpoint knows no account before the grant: a fault for one never strikes it.
    emulator.admin.injectFault({ kind: 'serverError', endpoint: 'token', client: 1 });
    expect((await tokenGrant(fleet().credentials(31))).status).toBe(200);
    emulator.admin.clearFaults();

    const overHttp = await call(emulator.adminUrl, 'faults', {
      method: 'POST',
      body: JSON.stringify({ kind: 'malformed', endpoint: 'connections', account: 32 }),
    });
    expect(overHttp.status).toBe(201);
    expect(overHttp.body).toMatchObject({ account: 32 });
    expect((await list(a30)).status).toBe(200);
    expect((await list(a32)).text).not.toMatch(/}\s*$/);
    expect(() => emulator.admin.injectFault({ kind: 'malformed', account: -1 })).toThrow(/account must be/);
  });
});
