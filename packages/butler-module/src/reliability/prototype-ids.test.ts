import { readContacts } from '@contacts/core/testing';
import { startGoogleEmulator } from '@contacts/google-emulator';
import { queryRows } from '@contacts/schema';
import { describeDatabase } from '@contacts/schema/testing';
import { sql } from 'drizzle-orm';
import { expect, it } from 'vitest';
import { startGoogleModule } from '../test-support/google-module.js';
import { resultText } from '../test-support/module-harness.js';

// Issue 11, point 11: a hostile People API payload whose resourceName is `__proto__` or
// `constructor` could never be applied (provenance used plain objects as maps). Served by the
// emulator over HTTP, read by the real Google client, applied by the runtime through the tool.
const IDS = ['__proto__', 'constructor', 'toString', 'hasOwnProperty'];
const person = (id: string, n: number, etag: string, title: string) => ({
  resourceName: id,
  etag,
  names: [{ displayName: `Person ${n}`, givenName: 'Person', familyName: String(n) }],
  emailAddresses: [{ value: `p${n}@example.org` }],
  organizations: [{ name: 'Acme', title }],
});

describeDatabase('ids named like members of Object.prototype, from Google', (t) => {
  it('creates, updates and tombstones them like any other', async () => {
    const emulator = await startGoogleEmulator({ seed: 5, people: 2 });
    const handles = IDS.map(
      (id, n) => emulator.admin.addRawPerson(person(id, n, 'e1', 'Engineer')).resourceName,
    );
    const { call, close } = await startGoogleModule({ db: t.db, butlerSchema: t.butlerSchema, emulator });
    try {
      const sync = async (mode: 'incremental' | 'full') => {
        const result = await call('contacts_sync_now', { mode });
        expect(result.isError, resultText(result)).toBeFalsy();
        return (result.structuredContent as { summary: Record<string, number> }).summary;
      };
      expect(await sync('full')).toMatchObject({ applied: 6, created: 6, failed: 0 });
      handles.forEach((h, n) => {
        emulator.admin.replaceRawPerson(h, person(IDS[n]!, n, 'e2', 'Manager'));
      });
      expect(await sync('incremental')).toMatchObject({ applied: 4, updated: 4, failed: 0 });
      const titles = (await readContacts(t.db, t.butlerSchema))
        .filter((c) => c.name.startsWith('Person'))
        .map((c) => c.job_title);
      expect(titles).toEqual(IDS.map(() => 'Manager'));
      for (const h of handles) emulator.admin.deletePerson(h);
      expect(await sync('incremental')).toMatchObject({ deleted: 4, failed: 0 });
      const links = await queryRows<{ id: string; deleted: boolean }>(
        t.db,
        sql`select external_contact_id as id, deleted_at is not null as deleted
          from ${sql.identifier(t.butlerSchema)}.contacts_source_links order by 1`,
      );
      expect(links.filter((l) => IDS.includes(l.id))).toEqual(
        [...IDS].sort().map((id) => ({ id, deleted: true })),
      );
    } finally {
      await close();
      await emulator.close();
    }
  });
});
