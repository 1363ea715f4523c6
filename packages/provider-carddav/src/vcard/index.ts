export { addressCountry, type CountryResolver, codeOnlyCountry, countryNameCode } from './address-country.js';
export { appleLabel } from './apple-label.js';
export { categoryGroupId, memberUid } from './card-identity.js';
export { collectGroups, membershipIndex } from './group-memberships.js';
export { type ParseVCardOptions, parseVCard, parseVCards, type VCardResult } from './parse-vcard.js';
