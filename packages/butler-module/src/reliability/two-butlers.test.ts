import { type ContactView, readContacts } from '@contacts/core/testing';
import { startGoogleEmulator } from '@contacts/google-emulator';
import { migrate } from '@contacts/schema';
import { describeDatabase } from '@contacts/schema/testing';
import { sql } from 'drizzle-orm';
import { beforeAll, expect, it } from 'vitest';
import { startGoogleModule } from '../test-support/google-module.js';
import { resultText } from '../test-support/module-harness.js';

// Issue 11, defect 7: two butler schemas on one Google account disagreed. Addresses, dates and
// labels live per butler schema, their provenance lived once in shared.contacts.metadata: after
// a removal at Google, the butler that synced second kept the old rows forever (sync --full too),
// and in one order a butler removed an address a person had added by hand in it. Two modules,
// each with its butler schema, on one database, through the emulator and the real Google client.
const OTHER = 'household';

describeDatabase('two butler schemas syncing one Google account', (t) => {
  beforeAll(async () => {
    await migrate(t.db, { butlerSchema: OTHER });
  });

  for (const second of ['incremental', 'full'] as const) {
    it(`both drop what Google dropped, and keep what a person added by hand (second butler: ${second} sync)`, async () => {
      const emulator = await startGoogleEmulator({ seed: 7, people: 0 });
      const chess = emulator.admin.addGroup('Chess');
      const chessId = chess.resourceName.slice('contactGroups/'.length);
      const ada = emulator.admin.addPerson({
        names: [{ givenName: 'Ada', familyName: 'Lovelace' }],
        emailAddresses: [{ value: 'ada@example.org' }],
        addresses: [
          { streetAddress: '1 Main St', city: 'Springfield', countryCode: 'US' },
          { streetAddress: '2 Side Rd', city: 'Shelbyville', countryCode: 'US' },
        ],
        events: [{ date: { month: 6, day: 1 }, type: 'wedding' }],
        memberships: [
          { contactGroupMembership: { contactGroupId: 'myContacts' } },
          { contactGroupMembership: { contactGroupId: chessId } },
        ],
      });
      const one = await startGoogleModule({ db: t.db, butlerSchema: t.butlerSchema, emulator });
      const two = await startGoogleModule({ db: t.db, butlerSchema: OTHER, emulator });
      try {
        const sync = async (module: typeof one, mode: 'incremental' | 'full') => {
          const result = await module.call('contacts_sync_now', { mode });
          expect(result.isError, resultText(result)).toBeFalsy();
        };
        const view = async (schema: string): Promise<ContactView> => {
          const all = await readContacts(t.db, schema);
          expect(all).toHaveLength(1);
          return all[0]!;
        };
        const rows = async (schema: string) => {
          const c = await view(schema);
          return { addresses: c.addresses.map((a) => a.split('|')[1]), dates: c.dates, labels: c.labels };
        };

        await sync(one, 'full');
        // A person types a birthday and a label in the second butler before it syncs.
        const { id } = await view(OTHER);
        const s = sql.identifier(OTHER);
        await t.db.execute(
          sql`insert into ${s}.important_dates (contact_id, label, month, day) values (${id}, 'wedding', 6, 1)`,
        );
        await t.db.execute(sql`insert into ${s}.labels (name) values ('Chess')`);
        await t.db.execute(
          sql`insert into ${s}.contact_labels (label_id, contact_id) select id, ${id} from ${s}.labels where name = 'Chess'`,
        );
        await sync(two, 'full');
        const full = {
          addresses: ['1 Main St', '2 Side Rd'],
          dates: ['wedding|6|1|'],
          labels: ['Chess'],
        };
        expect(await rows(t.butlerSchema)).toEqual(full);
        expect(await rows(OTHER)).toEqual(full);

        // Google drops an address, the event and the group; the second butler sees it first.
        emulator.admin.updatePerson(ada.resourceName, {
          addresses: [{ streetAddress: '1 Main St', city: 'Springfield', countryCode: 'US' }],
          events: [],
          memberships: [{ contactGroupMembership: { contactGroupId: 'myContacts' } }],
        });
        await sync(two, second);
        await sync(one, 'incremental');
        expect(await rows(t.butlerSchema)).toEqual({ addresses: ['1 Main St'], dates: [], labels: [] });
        // The address Google wrote here goes; the date and label a person typed here stay.
        expect(await rows(OTHER)).toEqual({
          addresses: ['1 Main St'],
          dates: ['wedding|6|1|'],
          labels: ['Chess'],
        });

        // Google drops the last address; the first butler sees it first this time.
        emulator.admin.updatePerson(ada.resourceName, { addresses: [] });
        await sync(one, 'incremental');
        await sync(two, second);
        expect((await rows(t.butlerSchema)).addresses).toEqual([]);
        expect((await rows(OTHER)).addresses).toEqual([]); // kept forever before
      } finally {
        await one.close();
        await two.close();
        await emulator.close();
      }
    });
  }
});
