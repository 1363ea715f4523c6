import { describeProviderConformance } from '@contacts/core/testing';
import { startEmulator, testProvider } from './test-support.js';

const DAY_MS = 24 * 3600 * 1000;

// The core conformance suite, against the provider on the emulator over real HTTP: several pages
// (pageSize 10), both streams, and a source the suite can change.
describeProviderConformance('google (emulator)', {
  setup: async () => {
    const emulator = await startEmulator({ people: 34, otherContacts: 6 });
    const { provider } = testProvider(emulator, { pageSize: 10, includeOtherContacts: true });
    let added = 0;
    return {
      provider,
      source: {
        add: async () => {
          added += 1;
          return emulator.admin.addPerson({ names: [{ givenName: 'Added', familyName: `Person ${added}` }] })
            .resourceName;
        },
        edit: async (externalId) => {
          emulator.admin.updatePerson(externalId, { nicknames: [{ value: `Edited ${Date.now()}` }] });
        },
        remove: async (externalId) => {
          emulator.admin.deletePerson(externalId);
        },
        expireCursor: async () => {
          emulator.admin.advanceClock(8 * DAY_MS);
        },
      },
      teardown: () => emulator.close(),
    };
  },
});
