export { MemoryAddressBook, MemoryContactsProvider, type MemoryPerson } from './memory-provider.js';
