import { afterEach, describe, expect, it } from 'vitest';
import { createManualClock } from './clock.js';
import { googleErrors } from './errors.js';
import { projectNumber } from './fleet/credentials.js';
import { type GoogleEmulator, type GoogleEmulatorOptions, startGoogleEmulator } from './server.js';
import { call, withParams } from './test-support.js';

const SEED = 5;
let emulator: GoogleEmulator | undefined;
afterEach(() => emulator?.close());

async function start(options: GoogleEmulatorOptions): Promise<GoogleEmulator> {
  emulator = await startGoogleEmulator({ seed: SEED, clock: createManualClock(), ...options });
  return emulator;
}

function reader(target: GoogleEmulator, index?: number) {
  const token =
    index === undefined
      ? target.admin.issueAccessToken().accessToken
      : target.fleet?.issueAccessToken(index).accessToken;
  return (path = 'v1/people/me/connections') =>
    call(target.url, withParams(path, path.includes('connections') ? { personFields: 'names' } : {}), {
      headers: { authorization: `Bearer ${token}` },
    });
}

describe('per-user read quota', () => {
  it("answers Google's 429 to the user who spent it, and to no one else", async () => {
    const target = await start({
      fleet: { accounts: 2, peoplePerAccount: 3 },
      quotas: { readRequestsPerMinutePerUser: 3 },
    });
    const [zero, one] = [reader(target, 0), reader(target, 1)];
    expect((await zero()).status).toBe(200);
    expect((await zero('v1/contactGroups')).status).toBe(200);
    expect((await zero()).status).toBe(200);
    const refused = await zero();
    expect(refused.status).toBe(429);
    expect(refused.body).toEqual(googleErrors.quotaExceeded('user', projectNumber(SEED, 0), 3));
    expect(refused.body).toEqual({
      error: {
        code: 429,
        status: 'RESOURCE_EXHAUSTED',
        message:
          "Quota exceeded for quota metric 'Read requests' and limit 'Read requests per minute per user' of service " +
          `'people.googleapis.com' for consumer 'project_number:${projectNumber(SEED, 0)}'.`,
        details: [
          {
            '@type': 'type.googleapis.com/google.rpc.ErrorInfo',
            reason: 'RATE_LIMIT_EXCEEDED',
            domain: 'googleapis.com',
            metadata: {
              quota_metric: 'people.googleapis.com/read_requests',
              quota_limit: 'ReadRequestsPerMinutePerUser',
              quota_limit_value: '3',
              quota_location: 'global',
              service: 'people.googleapis.com',
              consumer: `projects/${projectNumber(SEED, 0)}`,
            },
          },
        ],
      },
    });
    expect(refused.headers.get('retry-after')).toBeNull();
    expect((await one()).status).toBe(200);
    expect(target.admin.requests().at(-2)).toMatchObject({ status: 429, account: 0, quota: 'user' });
  });

  it('refills at its limit per minute of the emulator clock; refused requests spend nothing', async () => {
    const target = await start({
      fleet: { accounts: 1, peoplePerAccount: 1 },
      quotas: { readRequestsPerMinutePerUser: 3 },
    });
    const zero = reader(target, 0);
    for (let i = 0; i < 3; i++) expect((await zero()).status).toBe(200);
    for (let i = 0; i < 5; i++) expect((await zero()).status).toBe(429);
    target.admin.advanceClock(20_000); // a third of a minute: one request
    expect((await zero()).status).toBe(200);
    expect((await zero()).status).toBe(429);
    target.admin.advanceClock(10 * 60_000); // never more than the limit
    for (let i = 0; i < 3; i++) expect((await zero()).status).toBe(200);
    expect((await zero()).status).toBe(429);
  });

  it('counts read requests only: token refreshes and admin calls are free', async () => {
    const target = await start({ people: 2, quotas: { readRequestsPerMinutePerUser: 1 } });
    const own = reader(target);
    expect((await own()).status).toBe(200);
    const refresh = await call(target.tokenUrl, target.tokenUrl, {
      method: 'POST',
      body: new URLSearchParams({ ...toForm(target.credentials), grant_type: 'refresh_token' }),
    });
    expect(refresh.status).toBe(200);
    expect((await call(target.adminUrl, 'people')).status).toBe(200);
    expect((await own()).status).toBe(429); // the emulator's own account has a user quota too
  });

  it('leaves a request without a valid token to its 401', async () => {
    const target = await start({ quotas: { readRequestsPerMinutePerUser: 1 } });
    for (let i = 0; i < 3; i++) expect((await call(target.url, 'v1/contactGroups')).status).toBe(401);
  });
});

describe('per-project read quota', () => {
  it('refuses every user of the exhausted client, and no user of another client', async () => {
    // Accounts 0 and 2 on client 0, accounts 1 and 3 on client 1.
    const target = await start({
      fleet: { accounts: 4, peoplePerAccount: 2, clients: 2 },
      quotas: { readRequestsPerMinutePerProject: 4, readRequestsPerMinutePerUser: 100 },
    });
    const [a0, a1, a2, a3] = [0, 1, 2, 3].map((index) => reader(target, index)) as [
      ReturnType<typeof reader>,
      ReturnType<typeof reader>,
      ReturnType<typeof reader>,
      ReturnType<typeof reader>,
    ];
    for (const read of [a0, a2, a0, a2]) expect((await read()).status).toBe(200);
    const refused = [await a2(), await a0()];
    for (const answer of refused) {
      expect(answer.status).toBe(429);
      expect(answer.body).toEqual(googleErrors.quotaExceeded('project', projectNumber(SEED, 0), 4));
    }
    expect(refused[0]?.body.error?.message).toContain("limit 'Read requests per minute' of service");
    expect(refused[0]?.body.error?.details?.[0]).toMatchObject({
      metadata: { quota_limit: 'ReadRequestsPerMinutePerProject' },
    });
    expect((await a1()).status).toBe(200);
    expect((await a3()).status).toBe(200);
    expect(target.fleet?.clients.map((client) => client.projectNumber)).toEqual([
      projectNumber(SEED, 0),
      projectNumber(SEED, 1),
    ]);
    const quotas = target.admin.requests().filter((entry) => entry.quota);
    expect(quotas.map((entry) => [entry.account, entry.quota])).toEqual([
      [2, 'project'],
      [0, 'project'],
    ]);
  });

  it('rejects a limit that is not a positive integer', async () => {
    await expect(
      startGoogleEmulator({ quotas: { readRequestsPerMinutePerProject: 0 } }),
    ).rejects.toMatchObject({
      code: 'INVALID_OPTIONS',
    });
  });
});

function toForm(credentials: { clientId: string; clientSecret: string; refreshToken: string }) {
  return {
    client_id: credentials.clientId,
    client_secret: credentials.clientSecret,
    refresh_token: credentials.refreshToken,
  };
}
