import { CanonicalContact, type ContactBatch, ProviderError } from '@contacts/core';
import { describeProviderConformance } from '@contacts/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CardDavContactsProvider } from './carddav-contacts-provider.js';
import { deleteCard, putCard } from './dav/card-writes.js';
import { DavTransport } from './dav/dav-transport.js';
import { describeOnDavServer } from './test-support/describe-dav-server.js';
import { startRadicale } from './test-support/radicale.js';
import { vcard } from './test-support/scripted-fixtures.js';
import { type ScriptedServer, startScriptedServer } from './test-support/scripted-server.js';
import { startXandikos } from './test-support/xandikos.js';

const CREDENTIALS = { username: 'ada', password: 'secret-pw' };
const parsed = (batch: ContactBatch) => batch.contacts.map((c) => CanonicalContact.parse(c));

describeProviderConformance('carddav provider on the scripted server (507 truncation, token invalidation)', {
  setup: async () => {
    const server = await startScriptedServer({ credentials: CREDENTIALS, quirks: { syncPageSize: 4 } });
    for (let n = 1; n <= 12; n += 1) server.book.put(`${n}.vcf`, vcard(`uid-${n}`, `Person ${n}`));
    const path = (id: string) => id.split('/').at(-1) ?? id;
    let next = 100;
    return {
      provider: new CardDavContactsProvider({ url: server.url, ...CREDENTIALS, pageSize: 5 }),
      source: {
        add: async () => {
          next += 1;
          server.book.put(`${next}.vcf`, vcard(`uid-${next}`, `Added ${next}`));
          return `/dav/home/book/${next}.vcf`;
        },
        edit: async (id) => {
          server.book.put(path(id), vcard(`uid-${path(id).replace('.vcf', '')}`, 'Renamed Person'));
        },
        remove: async (id) => {
          server.book.delete(path(id));
        },
        expireCursor: async () => server.book.invalidateTokens(),
      },
      teardown: () => server.close(),
    };
  },
});

const REAL = {
  radicale: async () => {
    const radicale = await startRadicale();
    const bookUrl = await radicale.createBook('contacts');
    return { url: radicale.url, bookUrl, credentials: radicale.credentials, stop: () => radicale.stop() };
  },
  xandikos: async () => {
    const xandikos = await startXandikos();
    return {
      url: xandikos.url,
      bookUrl: xandikos.bookUrl,
      credentials: xandikos.credentials,
      stop: () => xandikos.stop(),
    };
  },
};

for (const name of ['radicale', 'xandikos'] as const) {
  describeOnDavServer(name, 'CardDAV provider', () => {
    describeProviderConformance(`carddav provider on ${name}`, {
      // A real server's sync tokens cannot be expired on demand; the scripted server's test covers it.
      expiresCursors: false,
      setup: async () => {
        const server = await REAL[name]();
        const transport = new DavTransport({ site: server.url, credentials: server.credentials });
        const url = (n: number | string) => new URL(`card-${n}.vcf`, server.bookUrl);
        for (let n = 1; n <= 7; n += 1) await putCard(transport, url(n), vcard(`uid-${n}`, `Person ${n}`));
        let next = 100;
        return {
          provider: new CardDavContactsProvider({ url: server.url, ...server.credentials, pageSize: 3 }),
          source: {
            add: async () => {
              next += 1;
              await putCard(transport, url(next), vcard(`uid-${next}`, `Added ${next}`));
              return url(next).pathname;
            },
            edit: async (id) => {
              await putCard(
                transport,
                new URL(id, server.url),
                vcard(`uid-${/card-(\w+)\.vcf$/.exec(id)?.[1]}`, 'Renamed Person'),
              );
            },
            remove: async (id) => deleteCard(transport, new URL(id, server.url)),
          },
          teardown: () => server.stop(),
        };
      },
    });
  });
}

describe('CardDavContactsProvider on the scripted server', () => {
  let server: ScriptedServer;
  beforeAll(async () => {
    server = await startScriptedServer({ credentials: CREDENTIALS });
    server.book.put(
      'ada.vcf',
      vcard('ada', 'Ada Lovelace').replace('END:VCARD', 'CATEGORIES:Friends\r\nEND:VCARD'),
    );
    server.book.put('grace.vcf', vcard('grace', 'Grace Hopper'));
    server.book.put(
      'team.vcf',
      [
        'BEGIN:VCARD',
        'VERSION:3.0',
        'UID:team',
        'FN:Team',
        'X-ADDRESSBOOKSERVER-KIND:group',
        'X-ADDRESSBOOKSERVER-MEMBER:urn:uuid:grace',
        'END:VCARD',
        '',
      ].join('\r\n'),
    );
  });
  afterAll(() => server.close());

  it('is named carddav and refuses a plain-http url that is not loopback', () => {
    expect(() => new CardDavContactsProvider({ url: 'http://dav.example.org/', ...CREDENTIALS })).toThrow(
      ProviderError,
    );
  });

  it('turns group cards and CATEGORIES into groups and memberships, and a quiet poll costs one request', async () => {
    const provider = new CardDavContactsProvider({ url: server.url, ...CREDENTIALS });
    // A new provider holds no card yet: the groups come with the pages, and then from listGroups.
    expect(await provider.listGroups()).toEqual([]);
    const page = await provider.fullSync({});
    expect(page.groups?.map((g) => g.name).sort()).toEqual(['Friends', 'Team']);
    expect((await provider.listGroups()).map((g) => g.name).sort()).toEqual(['Friends', 'Team']);
    const byId = new Map(parsed(page).map((c) => [c.external_id, c]));
    expect([...byId.keys()].sort()).toEqual(['/dav/home/book/ada.vcf', '/dav/home/book/grace.vcf']);
    expect(byId.get('/dav/home/book/grace.vcf')?.group_memberships).toEqual(['/dav/home/book/team.vcf']);
    expect(byId.get('/dav/home/book/ada.vcf')?.group_memberships).toEqual(['category:Friends']);

    const before = provider.transport.requests;
    await provider.listGroups();
    const quiet = await provider.incrementalSync({ cursor: page.next_sync_cursor! });
    expect(quiet.contacts).toEqual([]);
    expect(provider.transport.requests - before).toBe(1);
  });

  // The engine lists groups only for a full sync or a page naming a group it does not know: a
  // page must find its book's group cards without a listGroups first.
  it('gives a member its group card on every page of a full sync without listGroups first', async () => {
    const provider = new CardDavContactsProvider({ url: server.url, ...CREDENTIALS, pageSize: 1 });
    const contacts = [];
    let token: string | null | undefined = null;
    do {
      const page: ContactBatch = await provider.fullSync({ pageToken: token });
      contacts.push(...parsed(page));
      token = page.next_page_token;
    } while (token);
    const grace = contacts.find((c) => c.external_id === '/dav/home/book/grace.vcf');
    expect(grace?.group_memberships).toEqual(['/dav/home/book/team.vcf']);
  });

  it('gives a changed member its group card in an incremental sync by a new provider (a restart)', async () => {
    const first = await new CardDavContactsProvider({ url: server.url, ...CREDENTIALS }).fullSync({});
    server.book.put('grace.vcf', vcard('grace', 'Grace B. Hopper'));
    try {
      const restarted = new CardDavContactsProvider({ url: server.url, ...CREDENTIALS });
      const changes = parsed(await restarted.incrementalSync({ cursor: first.next_sync_cursor! }));
      expect(changes.map((c) => [c.display_name, c.group_memberships])).toEqual([
        ['Grace B. Hopper', ['/dav/home/book/team.vcf']],
      ]);
    } finally {
      server.book.put('grace.vcf', vcard('grace', 'Grace Hopper'));
    }
  });

  it('downloads only cards whose ETag it does not hold', async () => {
    const provider = new CardDavContactsProvider({ url: server.url, ...CREDENTIALS });
    await provider.listGroups();
    const first = await provider.fullSync({});
    server.book.put('grace.vcf', vcard('grace', 'Grace Brewster Hopper'));
    const reports = () => server.log.filter((r) => r.method === 'REPORT').length;
    const gets = () => server.log.filter((r) => r.method === 'GET').length;
    const [r0, g0] = [reports(), gets()];
    const changes = await provider.incrementalSync({ cursor: first.next_sync_cursor! });
    expect(parsed(changes).map((c) => c.display_name)).toEqual(['Grace Brewster Hopper']);
    // one sync-collection and one multiget of the one changed card
    expect(reports() - r0).toBe(2);
    expect(gets() - g0).toBe(0);
  });
});

describe.each([
  ['refuses an empty sync token (Google)', { refuseEmptyToken: true }],
  ['has no sync-collection', { noSyncCollection: true }],
] as const)('CardDavContactsProvider on a server that %s', (_title, quirks) => {
  let server: ScriptedServer;
  beforeAll(async () => {
    server = await startScriptedServer({
      credentials: CREDENTIALS,
      quirks: { ...quirks, unquotedEtags: true },
    });
    for (let n = 1; n <= 7; n += 1) server.book.put(`${n}.vcf`, vcard(`uid-${n}`, `Person ${n}`));
  });
  afterAll(() => server.close());

  it('lists every card once over pages by the ETag listing, and a change needs a full sync that duplicates nobody', async () => {
    const provider = new CardDavContactsProvider({ url: server.url, ...CREDENTIALS, pageSize: 3 });
    const collect = async () => {
      const ids: string[] = [];
      let token: string | null | undefined = null;
      let cursor: string | null = null;
      do {
        const page: ContactBatch = await provider.fullSync({ pageToken: token });
        ids.push(...parsed(page).map((c) => c.external_id));
        token = page.next_page_token;
        cursor = page.next_sync_cursor ?? cursor;
      } while (token);
      return { ids, cursor: cursor! };
    };
    const first = await collect();
    expect(first.ids).toHaveLength(7);
    expect(new Set(first.ids).size).toBe(7);
    server.book.put('3.vcf', vcard('uid-3', 'Renamed Person'));
    const outcome = await provider.incrementalSync({ cursor: first.cursor }).catch((e: unknown) => e);
    if ('noSyncCollection' in quirks) {
      expect(outcome).toMatchObject({ code: 'CURSOR_EXPIRED' });
      const gets = server.log.length;
      const again = await collect();
      expect(new Set(again.ids)).toEqual(new Set(first.ids));
      // the listing and one multiget of the changed card: unchanged ETags are not downloaded
      expect(server.log.slice(gets).filter((r) => r.method === 'REPORT')).toHaveLength(1);
    } else {
      const changes = parsed(outcome as ContactBatch);
      expect(changes.map((c) => c.display_name)).toEqual(['Renamed Person']);
    }
  });
});
