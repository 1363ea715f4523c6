import { createManualClock, type GoogleEmulator, startGoogleEmulator } from '@contacts/google-emulator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGoogleConsent, GOOGLE_AUTH_URL, googleScopes } from './consent.js';
import {
  exchangeGoogleCode,
  GoogleAuthorizationError,
  googleCredentialEntries,
  readGoogleCallback,
} from './exchange.js';

let emulator: GoogleEmulator;
beforeAll(async () => {
  emulator = await startGoogleEmulator({ seed: 5, people: 2, clock: createManualClock() });
});
afterAll(() => emulator.close());

const REDIRECT = 'https://crm.example/oauth/google/callback';

/** What a person's browser does on the consent page: press a button; the callback URL. */
async function press(consentUrl: string, decision: 'allow' | 'deny'): Promise<URL> {
  const html = await (await fetch(consentUrl)).text();
  const id = /name="consent" value="([^"]+)"/.exec(html)?.[1] ?? '';
  const answer = await fetch(new URL('/o/oauth2/v2/auth/decision', emulator.url), {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ consent: id, decision }).toString(),
    redirect: 'manual',
  });
  return new URL(answer.headers.get('location') ?? '');
}

describe('the dashboard building blocks', () => {
  it('makes a PKCE consent URL with the scopes the source needs', () => {
    const consent = createGoogleConsent({
      clientId: 'id',
      redirectUri: REDIRECT,
      includeOtherContacts: true,
    });
    const url = new URL(consent.url);
    expect(`${url.origin}${url.pathname}`).toBe(GOOGLE_AUTH_URL);
    expect(url.searchParams.get('scope')).toBe(googleScopes({ includeOtherContacts: true }).join(' '));
    expect(url.searchParams.get('state')).toBe(consent.state);
    expect(url.searchParams.get('code_challenge_method')).toBe('S256');
    expect(url.searchParams.get('access_type')).toBe('offline');
    expect(consent.codeVerifier).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(consent.url).not.toContain(consent.codeVerifier);
    expect(googleScopes({ includeOtherContacts: false })).toEqual([
      'https://www.googleapis.com/auth/contacts.readonly',
    ]);
  });

  it('exchanges the code from the callback for a refresh token the emulator accepts', async () => {
    const { clientId, clientSecret } = emulator.credentials;
    const consent = createGoogleConsent({
      clientId,
      redirectUri: REDIRECT,
      includeOtherContacts: false,
      authUrl: emulator.authUrl,
    });
    const code = readGoogleCallback(await press(consent.url, 'allow'), consent.state);
    const grant = await exchangeGoogleCode({
      clientId,
      clientSecret,
      code,
      codeVerifier: consent.codeVerifier,
      redirectUri: REDIRECT,
      tokenUrl: emulator.tokenUrl,
    });
    expect(grant.scopes).toEqual(googleScopes({ includeOtherContacts: false }));
    const entries = googleCredentialEntries({ accountId: 'work', clientId, clientSecret, ...grant });
    expect(entries.map((e) => e.key)).toEqual([
      'GOOGLE_OAUTH_CLIENT_ID@work',
      'GOOGLE_OAUTH_CLIENT_SECRET@work',
      'GOOGLE_REFRESH_TOKEN@work',
    ]);
    // A second exchange of the same code fails with Google's error, and says no secret.
    const again = exchangeGoogleCode({
      clientId,
      clientSecret,
      code,
      codeVerifier: consent.codeVerifier,
      redirectUri: REDIRECT,
      tokenUrl: emulator.tokenUrl,
    });
    await expect(again).rejects.toMatchObject({ reason: 'invalid_grant' });
    const message = await again.catch((error: Error) => error.message);
    expect(message).not.toContain(code);
    expect(message).not.toContain(clientSecret);
  });

  it('refuses a denied consent and a callback with another state', async () => {
    const consent = createGoogleConsent({
      clientId: emulator.credentials.clientId,
      redirectUri: REDIRECT,
      includeOtherContacts: false,
      authUrl: emulator.authUrl,
    });
    const denied = await press(consent.url, 'deny');
    expect(() => readGoogleCallback(denied, consent.state)).toThrow(GoogleAuthorizationError);
    expect(() => readGoogleCallback(denied, consent.state)).toThrow(/did not allow/);
    expect(() =>
      readGoogleCallback(new URLSearchParams({ code: 'c', state: 'other' }), consent.state),
    ).toThrow(/state differs/);
  });
});
