export { carddavAuthorization } from './authorize.js';
export { CardDavContactsProvider, type CardDavProviderOptions } from './carddav-contacts-provider.js';
export { CARDDAV_SECRET_SHAPES, type CardDavSettings, carddavProviderDescriptor } from './descriptor.js';
export {
  addressCountry,
  appleLabel,
  type CountryResolver,
  categoryGroupId,
  codeOnlyCountry,
  collectGroups,
  countryNameCode,
  membershipIndex,
  memberUid,
  type ParseVCardOptions,
  parseVCard,
  parseVCards,
  type VCardResult,
} from './vcard/index.js';
