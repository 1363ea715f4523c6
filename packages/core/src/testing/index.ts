export {
  type ConformanceFixture,
  type ConformanceOptions,
  collectPages,
  describeProviderConformance,
} from './conformance.js';
export {
  MemoryAddressBook,
  MemoryContactsProvider,
  type MemoryContactsProviderOptions,
  type PageCall,
} from './memory-provider.js';
