export {
  type ConformanceFixture,
  type ConformanceOptions,
  collectPages,
  describeProviderConformance,
} from './conformance.js';
export { type ContactView, crmProjection, readContacts } from './crm-snapshot.js';
export {
  type DescriptorConformanceOptions,
  describeDescriptorConformance,
} from './descriptor-conformance.js';
export {
  type MemoryDescriptorOptions,
  type MemorySettings,
  memoryProviderDescriptor,
} from './memory-descriptor.js';
export {
  MemoryAddressBook,
  MemoryContactsProvider,
  type MemoryContactsProviderOptions,
  type PageCall,
} from './memory-provider.js';
export { upstreamProblem } from './upstream-check.js';
