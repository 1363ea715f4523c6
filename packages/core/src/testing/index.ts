export {
  type ConformanceFixture,
  type ConformanceOptions,
  collectPages,
  describeProviderConformance,
} from './conformance.js';
export { type ContactView, crmProjection, readContacts } from './crm-snapshot.js';
export {
  MemoryAddressBook,
  MemoryContactsProvider,
  type MemoryContactsProviderOptions,
  type PageCall,
} from './memory-provider.js';
