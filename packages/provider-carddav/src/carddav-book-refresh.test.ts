import { CanonicalContact, type ContactBatch, type KnownEtags } from '@contacts/core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { CardDavContactsProvider } from './carddav-contacts-provider.js';
import { putCard } from './dav/card-writes.js';
import { DavTransport } from './dav/dav-transport.js';
import { describeOnDavServer } from './test-support/describe-dav-server.js';
import { type RadicaleServer, startRadicale } from './test-support/radicale.js';
import { vcard } from './test-support/scripted-fixtures.js';

/** A group card (Apple's kind) listing the member of UID `member`. */
function groupCard(member: string): string {
  return [
    'BEGIN:VCARD',
    'VERSION:3.0',
    'UID:team',
    'FN:Team',
    'X-ADDRESSBOOKSERVER-KIND:group',
    `X-ADDRESSBOOKSERVER-MEMBER:urn:uuid:${member}`,
    'END:VCARD',
    '',
  ].join('\r\n');
}

/**
 * What the engine keeps of a full sync: each person's last version (handed back as `knownEtags`,
 * as the engine does) and last group memberships.
 */
function engineView() {
  const versions = new Map<string, string>();
  const groups = new Map<string, string[]>();
  const knownEtags: KnownEtags = async (ids) =>
    new Map(ids.flatMap((id) => (versions.has(id) ? [[id, versions.get(id) as string] as const] : [])));
  const fullSync = async (provider: CardDavContactsProvider) => {
    let token: string | null | undefined = null;
    do {
      const page: ContactBatch = await provider.fullSync({ pageToken: token, knownEtags });
      for (const contact of page.contacts.map((c) => CanonicalContact.parse(c))) {
        if (contact.etag) versions.set(contact.external_id, contact.etag);
        groups.set(contact.external_id, contact.group_memberships ?? []);
      }
      token = page.next_page_token;
    } while (token);
  };
  return { groups, fullSync };
}

// Two books, sorted by URL: an empty one first, so the call that lists it goes on to the next.
describeOnDavServer('radicale', 'CardDAV provider refreshing each book it lists', () => {
  let radicale: RadicaleServer;
  let transport: DavTransport;
  let people: string;
  beforeAll(async () => {
    radicale = await startRadicale();
    await radicale.createBook('a-empty');
    people = await radicale.createBook('b-people');
    transport = new DavTransport({ site: radicale.url, credentials: radicale.credentials });
    await putCard(transport, new URL('ada.vcf', people), vcard('ada', 'Ada Lovelace'));
    await putCard(transport, new URL('grace.vcf', people), vcard('grace', 'Grace Hopper'));
    // Its id sorts after the members': with pages of 2 they are judged before it is listed.
    await putCard(transport, new URL('zteam.vcf', people), groupCard('ada'));
  });
  afterAll(() => radicale.stop());

  it('a full sync whose first book yields nothing gives the next book changed group labels', async () => {
    const provider = new CardDavContactsProvider({
      url: radicale.url,
      ...radicale.credentials,
      pageSize: 2,
    });
    const engine = engineView();
    const ada = new URL('ada.vcf', people).pathname;
    const grace = new URL('grace.vcf', people).pathname;
    const team = new URL('zteam.vcf', people).pathname;
    await engine.fullSync(provider);
    expect(Object.fromEntries(engine.groups)).toEqual({ [ada]: [team], [grace]: [] });

    await putCard(transport, new URL('zteam.vcf', people), groupCard('grace'));
    await engine.fullSync(provider);
    // Before the fix the empty book's refresh was the call's only one: Ada and Grace were judged
    // against the old group card and kept their old labels.
    expect(Object.fromEntries(engine.groups)).toEqual({ [ada]: [], [grace]: [team] });
  });
});
