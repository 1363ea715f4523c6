export {
  type AddressBookState,
  bookUnchanged,
  readAddressBookState,
  usesSyncCollection,
} from './book-state.js';
export { deleteCard, type PutCardOptions, putCard } from './card-writes.js';
export { authRefused, describeUrl, statusError } from './dav-errors.js';
export {
  type DavCredentials,
  type DavExchange,
  type DavRequest,
  DavTransport,
  type DavTransportOptions,
} from './dav-transport.js';
export { type DiscoveredAddressBook, discoverAddressBooks } from './discovery.js';
export { normalizeEtag, sameEtag } from './etag.js';
export { type EtagListing, type ListingPlan, listMemberEtags, planListing } from './etag-listing.js';
export { normalizeHref, resolveHref } from './href.js';
export {
  type CardFetchFailure,
  describeFailure,
  type FetchCardsOptions,
  type FetchCardsResult,
  type FetchedCard,
  fetchCards,
} from './multiget.js';
export { NS } from './namespaces.js';
export { registrableDomain, sameSite } from './same-site.js';
export {
  cursorExpiredError,
  type DavMember,
  type SyncCollectionOptions,
  type SyncCollectionOutcome,
  type SyncCollectionPage,
  type SyncTokenInvalid,
  syncCollectionPage,
  syncCollectionPages,
} from './sync-collection.js';
