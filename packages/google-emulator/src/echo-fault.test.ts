import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createManualClock } from './clock.js';
import { EmulatorError } from './errors.js';
import { type GoogleEmulator, startGoogleEmulator } from './server.js';
import { call, client, refreshTokenGrant } from './test-support.js';

// The `echoRequest` fault and `issuedAccessTokens()` exist so that clients can prove they keep
// secrets a server quotes back out of their logs and errors: these tests pin what they expose.
let emulator: GoogleEmulator;

beforeEach(async () => {
  emulator = await startGoogleEmulator({ seed: 3, people: 2, clock: createManualClock() });
});
afterEach(() => emulator.close());

const refresh = () => refreshTokenGrant(emulator);

describe('echoRequest fault', () => {
  it('quotes a token request, form-encoded secrets included, in an OAuth invalid_request', async () => {
    emulator.admin.injectFault({ kind: 'echoRequest', endpoint: 'token' });
    const answer = await refresh();
    expect(answer.status).toBe(400);
    expect(answer.body.error).toBe('invalid_request');
    const description = String(answer.body.error_description);
    expect(description).toMatch(/^Could not process the request: POST \/token\n/);
    expect(description).toContain(`client_secret=${encodeURIComponent(emulator.credentials.clientSecret)}`);
    expect(description).toContain(`refresh_token=${encodeURIComponent(emulator.credentials.refreshToken)}`);
    expect((await refresh()).status).toBe(200);
  });

  it('quotes an API request with its bearer token, in Google’s error shape or as a plain-text 500', async () => {
    const api = client(emulator);
    emulator.admin.injectFault({ kind: 'echoRequest', endpoint: 'contactGroups' });
    emulator.admin.injectFault({ kind: 'echoRequest', status: 500, endpoint: 'contactGroups' });
    const json = await api.contactGroups();
    expect(json.status).toBe(400);
    expect(json.body.error).toMatchObject({ code: 400, status: 'INVALID_ARGUMENT' });
    expect(json.body.error?.message).toContain(`authorization: Bearer ${api.token}`);
    const text = await api.contactGroups();
    expect(text.status).toBe(500);
    expect(text.headers.get('content-type')).toContain('text/plain');
    expect(text.text).toMatch(/^Internal error while handling the request:\nGET \/v1\/contactGroups/);
    expect(text.text).toContain(`Bearer ${api.token}`);
    expect(emulator.admin.requests('contactGroups').map((r) => [r.status, r.fault])).toEqual([
      [400, 'echoRequest'],
      [500, 'echoRequest'],
    ]);
  });

  it('answers 401 as invalid_client on the token endpoint and UNAUTHENTICATED elsewhere', async () => {
    const api = client(emulator);
    emulator.admin.injectFault({ kind: 'echoRequest', status: 401, endpoint: 'token' });
    emulator.admin.injectFault({ kind: 'echoRequest', status: 401, endpoint: 'connections' });
    const token = await refresh();
    expect(token.status).toBe(401);
    expect(token.body.error).toBe('invalid_client');
    expect(String(token.body.error_description)).toMatch(/^Unauthorized request: POST \/token\n/);
    const list = await api.connections({ personFields: 'names' });
    expect(list.status).toBe(401);
    expect(list.body.error).toMatchObject({ code: 401, status: 'UNAUTHENTICATED' });
    expect(list.body.error?.message).toContain(`Bearer ${api.token}`);
  });

  it('refuses a status other than 400, 401 or 500', () => {
    expect(() => emulator.admin.injectFault({ kind: 'echoRequest', status: 502 as 500 })).toThrowError(
      EmulatorError,
    );
  });

  it('can be injected over the HTTP admin API', async () => {
    const posted = await call(emulator.adminUrl, 'faults', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ kind: 'echoRequest', status: 500, endpoint: 'token' }),
    });
    expect(posted.status).toBe(201);
    expect((await refresh()).status).toBe(500);
  });
});

describe('issuedAccessTokens', () => {
  it('lists every access token minted, through /token and the admin API, revoked ones too', async () => {
    const viaAdmin = emulator.admin.issueAccessToken().accessToken;
    const viaToken = String((await refresh()).body.access_token);
    emulator.admin.revokeAccessTokens();
    expect(emulator.admin.issuedAccessTokens()).toEqual([viaAdmin, viaToken]);
    const overHttp = await call(emulator.adminUrl, 'oauth/access-tokens');
    expect(overHttp.body).toEqual({ accessTokens: [viaAdmin, viaToken] });
  });
});
