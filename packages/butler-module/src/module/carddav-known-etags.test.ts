import { type FetchLike, runSyncCycle } from '@contacts/core';
import { CardDavContactsProvider } from '@contacts/provider-carddav';
import {
  DavTransport,
  deleteCard,
  describeOnDavServer,
  putCard,
  type ScriptedServer,
  startRadicale,
  startScriptedServer,
  startXandikos,
  vcard,
} from '@contacts/provider-carddav/testing';
import { butlerTables, queryRows } from '@contacts/schema';
import { describeDatabase } from '@contacts/schema/testing';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';

/** A fetch that counts the multigets sent, and the cards they asked for. */
function countingFetch() {
  const counts = { multigets: 0, cards: 0 };
  const fetch: FetchLike = async (url, init) => {
    const body = typeof init?.body === 'string' ? init.body : '';
    if (body.includes('addressbook-multiget')) {
      counts.multigets += 1;
      counts.cards += body.match(/<d:href>/g)?.length ?? 0;
    }
    return globalThis.fetch(url, init);
  };
  return { counts, fetch };
}

interface Book {
  url: string;
  credentials: { username: string; password: string };
  put(name: string, card: string): Promise<void>;
  remove(name: string): Promise<void>;
  /** The id a card gets: its href's path. */
  id(name: string): string;
}

const GROUP = (members: string[]) =>
  [
    'BEGIN:VCARD',
    'VERSION:3.0',
    'UID:team',
    'FN:Team',
    'X-ADDRESSBOOKSERVER-KIND:group',
    ...members.map((uid) => `X-ADDRESSBOOKSERVER-MEMBER:urn:uuid:${uid}`),
    'END:VCARD',
    '',
  ].join('\r\n');

// Issue 13: the engine tells the CardDAV provider which (id, version) pairs it holds, so a new
// process's full sync of an unchanged book costs no multiget and no write and tombstones nobody;
// what changed is downloaded and written, and what is gone is tombstoned.
describeDatabase('CardDAV through the engine: unchanged cards cost nothing, in a new process too', (t) => {
  /** A provider as a new process has it: its card cache empty. Counts its multigets. */
  const newProcess = (book: Book) => {
    const { counts, fetch } = countingFetch();
    return {
      counts,
      provider: new CardDavContactsProvider({ url: book.url, ...book.credentials, pageSize: 3, fetch }),
    };
  };
  type Process = ReturnType<typeof newProcess>;
  /** A sync by `process` (default: a new one), with the multigets it sent. */
  const sync = async (book: Book, mode: 'full' | 'auto' = 'full', process: Process = newProcess(book)) => {
    process.counts.multigets = 0;
    process.counts.cards = 0;
    const result = await runSyncCycle({
      db: t.db,
      butlerSchema: t.butlerSchema,
      provider: process.provider,
      accountId: 'default',
      mode,
    });
    return { result, counts: { ...process.counts } };
  };
  const links = async () =>
    (await t.db.select().from(butlerTables(t.butlerSchema).contactsSourceLinks))
      .map((l) => `${l.externalContactId}${l.deletedAt ? ' (deleted)' : ''}`)
      .sort();
  const labelsOf = async (id: string) =>
    (
      await queryRows<{ name: string }>(
        t.db,
        sql`select lb.name from ${sql.identifier(t.butlerSchema)}.contacts_source_links l
          join ${sql.identifier(t.butlerSchema)}.contact_labels cl on cl.contact_id = l.local_contact_id
          join ${sql.identifier(t.butlerSchema)}.labels lb on lb.id = cl.label_id
          where l.external_contact_id = ${id} order by 1`,
      )
    ).map((r) => r.name);

  const restartScenario = (book: () => Book) => {
    it('re-syncs an unchanged book with no multiget and no write, then fetches and writes only what changed', async () => {
      const b = book();
      for (let n = 1; n <= 7; n += 1) await b.put(`card-${n}`, vcard(`uid-${n}`, `Person ${n}`));
      const first = await sync(b);
      expect(first.result.summary).toMatchObject({ created: 7, unchanged: 0, failed: 0 });
      const before = await links();

      const again = await sync(b);
      expect(again.result).toMatchObject({ mode: 'full', completed: true, tombstonedUnseen: 0 });
      expect(again.result.summary).toMatchObject({
        fetched: 0,
        unchanged: 7,
        applied: 0,
        created: 0,
        updated: 0,
        deleted: 0,
        failed: 0,
      });
      expect(again.counts).toEqual({ multigets: 0, cards: 0 });
      expect(await links()).toEqual(before);

      await b.put('card-3', vcard('uid-3', 'Renamed Person'));
      await b.remove('card-5');
      const changed = await sync(b);
      expect(changed.counts.cards).toBe(1);
      expect(changed.result.summary).toMatchObject({
        fetched: 1,
        unchanged: 5,
        updated: 1,
        deleted: 1,
        failed: 0,
      });
      expect((await links()).filter((l) => l.endsWith('(deleted)'))).toEqual([`${b.id('card-5')} (deleted)`]);
    });
  };

  for (const name of ['radicale', 'xandikos'] as const) {
    describeOnDavServer(name, 'ETag-aware full sync', () => {
      let server: { url: string; bookUrl: string; credentials: Book['credentials']; stop(): Promise<void> };
      let transport: DavTransport;
      beforeAll(async () => {
        if (name === 'radicale') {
          const radicale = await startRadicale();
          const bookUrl = await radicale.createBook('contacts');
          server = {
            url: radicale.url,
            bookUrl,
            credentials: radicale.credentials,
            stop: () => radicale.stop(),
          };
        } else {
          server = await startXandikos();
        }
        transport = new DavTransport({ site: server.url, credentials: server.credentials });
      });
      afterAll(async () => {
        await server?.stop();
      });
      restartScenario(() => ({
        url: server.url,
        credentials: server.credentials,
        put: async (n, card) => {
          await putCard(transport, new URL(`${n}.vcf`, server.bookUrl), card);
        },
        remove: (n) => deleteCard(transport, new URL(`${n}.vcf`, server.bookUrl)),
        id: (n) => new URL(`${n}.vcf`, server.bookUrl).pathname,
      }));
    });
  }

  describe('on the scripted server', () => {
    const credentials = { username: 'ada', password: 'secret-pw' };
    let server: ScriptedServer;
    const scripted = (): Book => ({
      url: server.url,
      credentials,
      put: async (n, card) => void server.book.put(`${n}.vcf`, card),
      remove: async (n) => void server.book.delete(`${n}.vcf`),
      id: (n) => `/dav/home/book/${n}.vcf`,
    });
    beforeEach(async () => {
      await server?.close();
      server = await startScriptedServer({ credentials });
    });
    afterAll(async () => {
      await server?.close();
    });

    describe('without sync-collection (the ETag listing)', () => {
      beforeEach(() => {
        server.quirks.noSyncCollection = true;
      });
      restartScenario(scripted);
    });

    it('a full sync after the token is refused downloads only the changed card, in the same process', async () => {
      const b = scripted();
      for (let n = 1; n <= 7; n += 1) await b.put(`card-${n}`, vcard(`uid-${n}`, `Person ${n}`));
      const process = newProcess(b);
      await sync(b, 'full', process);
      server.book.invalidateTokens();
      await b.put('card-2', vcard('uid-2', 'Renamed Person'));
      // The same process: its incremental sync is refused, the full sync follows in the cycle.
      const after = await sync(b, 'auto', process);
      expect(after.result).toMatchObject({ mode: 'full', cursorExpired: true, tombstonedUnseen: 0 });
      expect(after.result.summary).toMatchObject({ fetched: 1, unchanged: 6, updated: 1, deleted: 0 });
      expect(after.counts.cards).toBe(1);
      // A new process, the token refused again: nothing changed, nothing downloaded.
      server.book.invalidateTokens();
      const fresh = await sync(b);
      expect(fresh.counts).toEqual({ multigets: 0, cards: 0 });
      expect(fresh.result.summary).toMatchObject({ fetched: 0, unchanged: 7, deleted: 0 });
    });

    it('a group card change reaches its members: in the same process, and in a new one that downloads only the group card', async () => {
      const b = scripted();
      await b.put('ada', vcard('ada', 'Ada Lovelace'));
      await b.put('grace', vcard('grace', 'Grace Hopper'));
      await b.put('team', GROUP(['grace']));
      const process = newProcess(b);
      await sync(b, 'full', process);
      expect(await labelsOf(b.id('grace'))).toEqual(['Team']);
      expect(await labelsOf(b.id('ada'))).toEqual([]);

      // A new process: the group card is downloaded (the engine holds groups, not their cards),
      // the people are not.
      const restarted = await sync(b);
      expect(restarted.counts.cards).toBe(1);
      expect(restarted.result.summary).toMatchObject({ fetched: 0, unchanged: 2, applied: 0 });

      // Only the group card changes; the warm provider's incremental sync sends both members.
      await b.put('team', GROUP(['ada']));
      const incremental = await sync(b, 'auto', process);
      expect(incremental.result.mode).toBe('incremental');
      expect(incremental.result.summary).toMatchObject({ updated: 2, failed: 0 });
      expect(await labelsOf(b.id('ada'))).toEqual(['Team']);
      expect(await labelsOf(b.id('grace'))).toEqual([]);

      // Again, seen by a new process's full sync: the members' own cards did not change, their
      // groups did: both are downloaded and written.
      await b.put('team', GROUP(['grace']));
      const cold = await sync(b);
      expect(cold.counts.cards).toBe(3); // the group card, then the two regrouped members
      expect(cold.result.summary).toMatchObject({ fetched: 2, unchanged: 0, updated: 2, failed: 0 });
      expect(await labelsOf(b.id('grace'))).toEqual(['Team']);
      expect(await labelsOf(b.id('ada'))).toEqual([]);

      // A new process's incremental sync: the members it holds no body of are judged by the
      // versions the engine holds, and the two whose groups changed are downloaded.
      await b.put('team', GROUP(['ada', 'grace']));
      const coldIncremental = await sync(b, 'auto');
      expect(coldIncremental.result.mode).toBe('incremental');
      expect(coldIncremental.counts.cards).toBe(2); // the group card, then ada
      expect(coldIncremental.result.summary).toMatchObject({ updated: 1, failed: 0 });
      expect(await labelsOf(b.id('ada'))).toEqual(['Team']);
      expect(await labelsOf(b.id('grace'))).toEqual(['Team']);
    });
  });
});
