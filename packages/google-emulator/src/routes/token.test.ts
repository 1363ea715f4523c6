import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultCredentials } from '../auth.js';
import { createManualClock } from '../clock.js';
import { type GoogleEmulator, startGoogleEmulator } from '../server.js';
import { call, client } from '../test-support.js';

let emulator: GoogleEmulator;

beforeAll(async () => {
  emulator = await startGoogleEmulator({ seed: 9, people: 5, clock: createManualClock() });
});
afterAll(() => emulator.close());

function refresh(fields: Record<string, string>, headers: Record<string, string> = {}) {
  return call(emulator.tokenUrl, emulator.tokenUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams(fields).toString(),
  });
}

const grant = () => ({
  client_id: emulator.credentials.clientId,
  client_secret: emulator.credentials.clientSecret,
  refresh_token: emulator.credentials.refreshToken,
  grant_type: 'refresh_token',
});

const UNAUTHENTICATED_MESSAGE =
  'Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid ' +
  'authentication credential. See https://developers.google.com/identity/sign-in/web/devconsole-project.';

describe('POST /token', () => {
  it('exposes deterministic default credentials for the seed', () => {
    expect(emulator.credentials).toEqual(defaultCredentials(9));
    expect(emulator.credentials.clientId).toMatch(/\.apps\.googleusercontent\.com$/);
    expect(emulator.tokenUrl).toBe(`${emulator.url}token`);
    expect(emulator.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
  });

  it('grants a bearer token that works on the API', async () => {
    const { status, body } = await refresh(grant());
    expect(status).toBe(200);
    expect(body).toEqual({
      access_token: expect.stringMatching(/^ya29\./),
      expires_in: 3600,
      scope:
        'https://www.googleapis.com/auth/contacts.readonly https://www.googleapis.com/auth/contacts.other.readonly',
      token_type: 'Bearer',
    });
    const api = await call(emulator.url, 'v1/contactGroups', {
      headers: { authorization: `Bearer ${body.access_token}` },
    });
    expect(api.status).toBe(200);
  });

  it('accepts client credentials as HTTP Basic and a JSON body', async () => {
    const { client_id, client_secret, ...rest } = grant();
    const basic = Buffer.from(`${client_id}:${client_secret}`).toString('base64');
    expect((await refresh(rest, { authorization: `Basic ${basic}` })).status).toBe(200);
    const json = await call(emulator.tokenUrl, emulator.tokenUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(grant()),
    });
    expect(json.status).toBe(200);
  });

  it.each([
    [
      'an unknown client',
      { client_id: 'someone-else' },
      401,
      { error: 'invalid_client', error_description: 'The OAuth client was not found.' },
    ],
    [
      'a wrong secret',
      { client_secret: 'nope' },
      401,
      { error: 'invalid_client', error_description: 'Unauthorized' },
    ],
    [
      'an unknown refresh token',
      { refresh_token: '1//0eunknown' },
      400,
      { error: 'invalid_grant', error_description: 'Token has been expired or revoked.' },
    ],
    [
      'a missing refresh token',
      { refresh_token: '' },
      400,
      { error: 'invalid_request', error_description: 'Missing required parameter: refresh_token' },
    ],
    [
      'another grant type',
      { grant_type: 'password' },
      400,
      { error: 'unsupported_grant_type', error_description: 'Invalid grant_type: password' },
    ],
  ])('refuses %s', async (_name, change, status, body) => {
    const answer = await refresh({ ...grant(), ...change });
    expect(answer.status).toBe(status);
    expect(answer.body).toEqual(body);
  });

  it('answers invalid_grant after the refresh token is revoked, and works again after rotation', async () => {
    const own = await startGoogleEmulator({ seed: 10 });
    try {
      const post = () => {
        const { clientId, clientSecret, refreshToken } = own.credentials;
        const body = new URLSearchParams({
          client_id: clientId,
          client_secret: clientSecret,
          refresh_token: refreshToken,
          grant_type: 'refresh_token',
        });
        return call(own.tokenUrl, own.tokenUrl, { method: 'POST', body });
      };
      const api = client(own);
      own.admin.revokeRefreshToken();
      const revoked = await post();
      expect(revoked.status).toBe(400);
      expect(revoked.text).toBe(
        '{"error":"invalid_grant","error_description":"Token has been expired or revoked."}',
      );
      // Revoking the grant kills the access tokens it minted, as Google does.
      expect((await api.contactGroups()).status).toBe(401);
      const old = own.credentials.refreshToken;
      const rotated = own.admin.rotateRefreshToken();
      expect(rotated).not.toBe(old);
      expect(own.credentials.refreshToken).toBe(rotated);
      expect((await post()).status).toBe(200);
      own.admin.rotateRefreshToken('1//my-own-token');
      expect(own.credentials.refreshToken).toBe('1//my-own-token');
      expect((await post()).status).toBe(200);
    } finally {
      await own.close();
    }
  });

  it('can keep access tokens alive when revoking the refresh token', async () => {
    const own = await startGoogleEmulator({ seed: 10 });
    try {
      const api = client(own);
      own.admin.revokeRefreshToken({ keepAccessTokens: true });
      expect((await api.contactGroups()).status).toBe(200);
    } finally {
      await own.close();
    }
  });
});

describe('bearer tokens on the API', () => {
  it.each([
    ['a missing Authorization header', null, 'CREDENTIALS_MISSING'],
    ['an unknown token', 'ya29.forged', 'ACCESS_TOKEN_TYPE_UNSUPPORTED'],
  ])('answers %s with 401 UNAUTHENTICATED', async (_name, token, reason) => {
    const api = client(emulator);
    for (const path of [
      'v1/people/me/connections?personFields=names',
      'v1/otherContacts?readMask=names',
      'v1/contactGroups',
    ]) {
      const { status, body, headers } = await api.get(path, {}, token);
      expect(status).toBe(401);
      expect(body.error).toMatchObject({
        code: 401,
        message: UNAUTHENTICATED_MESSAGE,
        status: 'UNAUTHENTICATED',
      });
      expect(body.error?.details?.[0]?.reason).toBe(reason);
      expect(headers.get('www-authenticate')).toContain('Bearer');
    }
  });

  it('checks the token before the parameters, as Google does', async () => {
    const { status } = await client(emulator).get('v1/people/me/connections', {}, null);
    expect(status).toBe(401);
  });

  it('expires access tokens after 1 h of the emulator clock', async () => {
    const api = client(emulator);
    emulator.admin.advanceClock(3_600_000 - 1);
    expect((await api.contactGroups()).status).toBe(200);
    emulator.admin.advanceClock(1);
    const { status, body } = await api.contactGroups();
    expect(status).toBe(401);
    expect(body.error?.details?.[0]?.reason).toBe('ACCESS_TOKEN_EXPIRED');
  });

  it('honours tokenTtlSeconds and the access_token query parameter', async () => {
    const own = await startGoogleEmulator({ tokenTtlSeconds: 60, clock: createManualClock() });
    try {
      const { accessToken, expiresIn } = own.admin.issueAccessToken();
      expect(expiresIn).toBe(60);
      expect((await call(own.url, `v1/contactGroups?access_token=${accessToken}`)).status).toBe(200);
      own.admin.advanceClock(60_000);
      expect((await call(own.url, `v1/contactGroups?access_token=${accessToken}`)).status).toBe(401);
    } finally {
      await own.close();
    }
  });

  it('revokes every access token on demand', async () => {
    const api = client(emulator);
    emulator.admin.revokeAccessTokens();
    expect((await api.contactGroups()).status).toBe(401);
  });
});
