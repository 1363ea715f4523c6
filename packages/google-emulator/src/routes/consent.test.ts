import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONTACTS_READONLY_SCOPE, OTHER_CONTACTS_READONLY_SCOPE } from '../auth.js';
import { createManualClock, type ManualClock } from '../clock.js';
import { type GoogleEmulator, startGoogleEmulator } from '../server.js';
import { call } from '../test-support.js';

let emulator: GoogleEmulator;
let clock: ManualClock;

beforeAll(async () => {
  clock = createManualClock();
  emulator = await startGoogleEmulator({ seed: 4, people: 3, clock });
});
afterAll(() => emulator.close());

const VERIFIER = `${'v'.repeat(20)}erifier-of-the-test-0123456789`;
const challenge = (verifier: string) => createHash('sha256').update(verifier).digest('base64url');
const REDIRECT = 'http://127.0.0.1:9/callback';

function consentUrl(overrides: Record<string, string | undefined> = {}): string {
  const params: Record<string, string | undefined> = {
    client_id: emulator.credentials.clientId,
    redirect_uri: REDIRECT,
    response_type: 'code',
    scope: CONTACTS_READONLY_SCOPE,
    state: 'st-1',
    code_challenge: challenge(VERIFIER),
    code_challenge_method: 'S256',
    ...overrides,
  };
  const url = new URL(emulator.authUrl);
  for (const [key, value] of Object.entries(params))
    if (value !== undefined) url.searchParams.set(key, value);
  return url.toString();
}

/** Opens the consent page and presses a button; the redirect's URL. */
async function decide(decision: 'allow' | 'deny', url = consentUrl()): Promise<URL> {
  const page = await fetch(url);
  expect(page.status).toBe(200);
  expect(page.headers.get('content-type')).toContain('text/html');
  const html = await page.text();
  const id = /name="consent" value="([^"]+)"/.exec(html)?.[1] ?? '';
  const answer = await fetch(new URL('/o/oauth2/v2/auth/decision', emulator.url), {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ consent: id, decision }).toString(),
    redirect: 'manual',
  });
  expect(answer.status).toBe(302);
  return new URL(answer.headers.get('location') ?? '');
}

async function redeem(fields: Record<string, string>) {
  const { status, body } = await call(emulator.tokenUrl, emulator.tokenUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      client_id: emulator.credentials.clientId,
      client_secret: emulator.credentials.clientSecret,
      grant_type: 'authorization_code',
      redirect_uri: REDIRECT,
      code_verifier: VERIFIER,
      ...fields,
    }).toString(),
  });
  return { status, body };
}

describe('the consent page and the authorization-code grant', () => {
  it('serves Google path with an Allow button, and Allow redirects with the code and state', async () => {
    expect(emulator.authUrl).toBe(`${emulator.url}o/oauth2/v2/auth`);
    const back = await decide('allow');
    expect(`${back.origin}${back.pathname}`).toBe(REDIRECT);
    expect(back.searchParams.get('state')).toBe('st-1');
    expect(back.searchParams.get('code')).toMatch(/^4\/0A/);
  });

  it('redirects Deny with error=access_denied and the state', async () => {
    const back = await decide('deny');
    expect(back.searchParams.get('error')).toBe('access_denied');
    expect(back.searchParams.get('state')).toBe('st-1');
    expect(back.searchParams.get('code')).toBeNull();
  });

  it('exchanges the code once for a refresh token the People API then accepts', async () => {
    const code = (await decide('allow')).searchParams.get('code') ?? '';
    const { status, body } = await redeem({ code });
    expect(status).toBe(200);
    expect(body).toMatchObject({ token_type: 'Bearer', scope: CONTACTS_READONLY_SCOPE, expires_in: 3600 });
    expect(body.refresh_token).toMatch(/^1\/\/0e/);
    expect(body.refresh_token).not.toBe(emulator.credentials.refreshToken);
    const again = await redeem({ code });
    expect(again).toEqual({
      status: 400,
      body: { error: 'invalid_grant', error_description: 'Malformed auth code.' },
    });

    const refreshed = await call(emulator.tokenUrl, emulator.tokenUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        client_id: emulator.credentials.clientId,
        client_secret: emulator.credentials.clientSecret,
        refresh_token: String(body.refresh_token),
        grant_type: 'refresh_token',
      }).toString(),
    });
    expect(refreshed.status).toBe(200);
    const bearer = { authorization: `Bearer ${refreshed.body.access_token}` };
    const groups = await call(emulator.url, 'v1/contactGroups', { headers: bearer });
    expect(groups.status).toBe(200);
    // Only what the person consented to: other contacts were not asked for.
    const others = await call(emulator.url, 'v1/otherContacts?readMask=names', { headers: bearer });
    expect(others.status).toBe(403);
  });

  it('grants the other contacts scope when it was asked for', async () => {
    const scope = `${CONTACTS_READONLY_SCOPE} ${OTHER_CONTACTS_READONLY_SCOPE}`;
    const code = (await decide('allow', consentUrl({ scope }))).searchParams.get('code') ?? '';
    const { body } = await redeem({ code });
    expect(body.scope).toBe(scope);
    const others = await call(emulator.url, 'v1/otherContacts?readMask=names', {
      headers: { authorization: `Bearer ${body.access_token}` },
    });
    expect(others.status).toBe(200);
  });

  it('binds the code to the verifier, the redirect URI and the client, and spends it on any attempt', async () => {
    const code1 = (await decide('allow')).searchParams.get('code') ?? '';
    expect(await redeem({ code: code1, code_verifier: `${VERIFIER}x` })).toEqual({
      status: 400,
      body: { error: 'invalid_grant', error_description: 'Invalid code verifier.' },
    });
    expect((await redeem({ code: code1 })).body.error).toBe('invalid_grant');

    const code2 = (await decide('allow')).searchParams.get('code') ?? '';
    expect(await redeem({ code: code2, redirect_uri: 'http://127.0.0.1:10/callback' })).toEqual({
      status: 400,
      body: { error: 'redirect_uri_mismatch', error_description: 'Bad Request' },
    });

    const code3 = (await decide('allow')).searchParams.get('code') ?? '';
    expect((await redeem({ code: code3, code_verifier: '' })).body).toEqual({
      error: 'invalid_grant',
      error_description: 'Missing code verifier.',
    });

    const code4 = (await decide('allow')).searchParams.get('code') ?? '';
    expect((await redeem({ code: code4, client_secret: 'wrong' })).status).toBe(401);
  });

  it('lets a code expire after ten minutes', async () => {
    const code = (await decide('allow')).searchParams.get('code') ?? '';
    clock.advance(10 * 60 * 1000);
    expect((await redeem({ code })).body.error).toBe('invalid_grant');
  });

  it('shows an error page, not a redirect, for a bad client, scope or missing PKCE', async () => {
    const bad = async (overrides: Record<string, string | undefined>) => {
      const res = await fetch(consentUrl(overrides), { redirect: 'manual' });
      return { status: res.status, text: await res.text() };
    };
    expect(await bad({ client_id: 'nobody.apps.googleusercontent.com' })).toMatchObject({ status: 401 });
    expect((await bad({ scope: 'https://www.googleapis.com/auth/drive' })).text).toContain('invalid_scope');
    expect((await bad({ code_challenge: undefined })).text).toContain('PKCE');
    expect((await bad({ redirect_uri: 'not a url' })).status).toBe(400);
  });
});
