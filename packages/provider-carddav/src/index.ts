export { CardDavContactsProvider, type CardDavProviderOptions } from './carddav-contacts-provider.js';
