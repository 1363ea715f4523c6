export { type GoogleSettings, googleProviderDescriptor } from './descriptor.js';
export { type GoogleCheckpoint, GoogleContactsProvider } from './google-contacts-provider.js';
export { type GoogleStream, OTHER_CONTACTS_READ_MASK, PERSON_FIELDS } from './google-fields.js';
export { normalizeGroup } from './normalize-group.js';
export { type NormalizePersonOptions, normalizePerson } from './normalize-person.js';
export { googleAuthorization } from './oauth/authorize.js';
export {
  createGoogleConsent,
  GOOGLE_AUTH_URL,
  GOOGLE_CONTACTS_READONLY_SCOPE,
  GOOGLE_OTHER_CONTACTS_SCOPE,
  type GoogleConsent,
  type GoogleConsentOptions,
  googleScopes,
} from './oauth/consent.js';
export {
  exchangeGoogleCode,
  GoogleAuthorizationError,
  type GoogleCodeExchange,
  type GoogleGrant,
  googleCredentialEntries,
  readGoogleCallback,
} from './oauth/exchange.js';
export { type LoopbackRedirect, startLoopbackRedirect } from './oauth/loopback.js';
export { DEFAULT_MAX_RESPONSE_BYTES, type GoogleProviderOptions } from './options.js';
export { GOOGLE_TOKEN_SHAPES, redact as redactGoogleSecrets, secretPattern } from './redact.js';
export { decodeSyncCursor, encodeSyncCursor, type GoogleSyncTokens } from './sync-cursor.js';
