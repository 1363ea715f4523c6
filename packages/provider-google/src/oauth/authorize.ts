import type { ProviderAuthorization } from '@contacts/core';
import type { GoogleSettings } from '../descriptor.js';
import { createGoogleConsent } from './consent.js';
import { exchangeGoogleCode, readGoogleCallback } from './exchange.js';
import { startLoopbackRedirect } from './loopback.js';

/**
 * `contacts auth google`: the installed-app flow. A loopback redirect on 127.0.0.1, the consent
 * URL with PKCE shown to the person, the callback awaited until the command's deadline, then the
 * code exchanged; resolves with the client id, secret and refresh token to store.
 *
 * @example
 * ```ts
 * const credentials = await googleAuthorization.run({
 *   accountId: 'default', settings: { include_other_contacts: false },
 *   inputs: { clientId, clientSecret }, showUrl: (url) => console.log(url), signal, logger,
 * });
 * ```
 */
export const googleAuthorization: ProviderAuthorization<GoogleSettings> = {
  inputs: [
    { field: 'clientId', flag: 'client-id', env: 'CONTACTS_GOOGLE_CLIENT_ID' },
    { field: 'clientSecret', flag: 'client-secret', env: 'CONTACTS_GOOGLE_CLIENT_SECRET', secret: true },
  ],
  async run({ settings, inputs, showUrl, signal, logger }) {
    const clientId = inputs.clientId ?? '';
    const clientSecret = inputs.clientSecret ?? '';
    const loopback = await startLoopbackRedirect();
    try {
      const consent = createGoogleConsent({
        clientId,
        redirectUri: loopback.redirectUri,
        includeOtherContacts: settings.include_other_contacts,
        ...(settings.auth_url ? { authUrl: settings.auth_url } : {}),
      });
      await showUrl(consent.url);
      const query = await loopback.callback(signal);
      const code = readGoogleCallback(query, consent.state);
      logger.debug('google authorization: exchanging the code', { redirectUri: loopback.redirectUri });
      const grant = await exchangeGoogleCode({
        clientId,
        clientSecret,
        code,
        codeVerifier: consent.codeVerifier,
        redirectUri: loopback.redirectUri,
        signal,
        ...(settings.token_url ? { tokenUrl: settings.token_url } : {}),
      });
      return { clientId, clientSecret, refreshToken: grant.refreshToken };
    } finally {
      await loopback.close();
    }
  },
};
