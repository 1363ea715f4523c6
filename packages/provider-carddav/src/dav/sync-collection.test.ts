import { afterEach, describe, expect, it } from 'vitest';
import { vcard } from '../test-support/scripted-fixtures.js';
import {
  type ScriptedQuirks,
  type ScriptedServer,
  startScriptedServer,
} from '../test-support/scripted-server.js';
import { DavTransport } from './dav-transport.js';
import { listMemberEtags } from './etag-listing.js';
import {
  cursorExpiredError,
  type SyncCollectionOutcome,
  type SyncCollectionPage,
  syncCollectionPage,
  syncCollectionPages,
} from './sync-collection.js';

const credentials = { username: 'ada', password: 'pw' };
let server: ScriptedServer;
afterEach(async () => server?.close());

async function setup(quirks: ScriptedQuirks) {
  server = await startScriptedServer({ credentials, quirks });
  return new DavTransport({ site: server.url, credentials });
}

async function collect(transport: DavTransport, token: string): Promise<SyncCollectionOutcome[]> {
  const outcomes: SyncCollectionOutcome[] = [];
  for await (const outcome of syncCollectionPages(transport, server.bookUrl, token)) outcomes.push(outcome);
  return outcomes;
}

const pages = (outcomes: SyncCollectionOutcome[]) =>
  outcomes.filter((o): o is SyncCollectionPage => o.kind === 'page');

describe('sync-collection', () => {
  it('follows 507 truncation until complete, each page with its resume token', async () => {
    const transport = await setup({ syncPageSize: 2 });
    for (const n of [1, 2, 3, 4, 5]) server.book.put(`${n}.vcf`, vcard(String(n), `Person ${n}`));
    const outcomes = pages(await collect(transport, ''));
    expect(outcomes.map((p) => [p.changed.length, p.truncated])).toEqual([
      [2, true],
      [2, true],
      [1, false],
    ]);
    expect(outcomes.flatMap((p) => p.changed.map((c) => c.href))).toEqual(
      [1, 2, 3, 4, 5].map((n) => `/dav/home/book/${n}.vcf`),
    );
    expect(outcomes.at(-1)?.syncToken).toBe(server.book.token());
    // The resume point of a page is enough to go on after a crash.
    const resumed = pages(await collect(transport, outcomes[0]!.syncToken));
    expect(resumed.flatMap((p) => p.changed.map((c) => c.href))).toHaveLength(3);
  });

  it('reports changes and removed members (404) since a token, and nothing when quiet', async () => {
    const transport = await setup({});
    server.book.put('1.vcf', vcard('1', 'Ada'));
    server.book.put('2.vcf', vcard('2', 'Grace'));
    const [first] = pages(await collect(transport, ''));
    server.book.put('1.vcf', vcard('1', 'Ada King'));
    server.book.delete('2.vcf');
    const [next] = pages(await collect(transport, first!.syncToken));
    expect(next?.changed).toEqual([{ href: '/dav/home/book/1.vcf', etag: '"v3"' }]);
    expect(next?.removed).toEqual(['/dav/home/book/2.vcf']);
    const [quiet] = pages(await collect(transport, next!.syncToken));
    expect(quiet).toMatchObject({ changed: [], removed: [], truncated: false, syncToken: next!.syncToken });
  });

  it.each([403, 409, 500] as const)(
    'reports a token invalidated mid-life (HTTP %i) as token-invalid',
    async (status) => {
      const transport = await setup({ invalidTokenStatus: status });
      server.book.put('1.vcf', vcard('1', 'Ada'));
      const [first] = pages(await collect(transport, ''));
      server.book.invalidateTokens();
      const outcome = await syncCollectionPage(transport, server.bookUrl, first!.syncToken);
      expect(outcome).toEqual({ kind: 'token-invalid', reason: 'invalid-token', status });
      const error = cursorExpiredError(outcome as Extract<SyncCollectionOutcome, { kind: 'token-invalid' }>);
      expect(error).toMatchObject({ code: 'CURSOR_EXPIRED', retryable: true, provider: 'carddav' });
      // Starting over from an empty token lists every member once.
      const full = pages(await collect(transport, ''));
      expect(full.flatMap((p) => p.changed.map((c) => c.href))).toEqual(['/dav/home/book/1.vcf']);
    },
  );

  it("reports Google's 400 on an empty token as an initial sync refused", async () => {
    const transport = await setup({ refuseEmptyToken: true });
    expect(await syncCollectionPage(transport, server.bookUrl, '')).toEqual({
      kind: 'token-invalid',
      reason: 'initial-sync-refused',
      status: 400,
    });
  });

  it("after Google's 400, takes the first state from the ETag listing and syncs on from its token", async () => {
    const transport = await setup({ refuseEmptyToken: true });
    server.book.put('1.vcf', vcard('1', 'Ada'));
    const listing = await listMemberEtags(transport, server.bookUrl);
    expect(listing.members.map((m) => m.href)).toEqual(['/dav/home/book/1.vcf']);
    server.book.put('2.vcf', vcard('2', 'Grace'));
    const [next] = pages(await collect(transport, listing.syncToken ?? ''));
    expect(next?.changed.map((m) => m.href)).toEqual(['/dav/home/book/2.vcf']);
  });

  it('fails PERMANENT (not token-invalid) when a server without sync-collection refuses the REPORT', async () => {
    const transport = await setup({ noSyncCollection: true });
    await expect(syncCollectionPage(transport, server.bookUrl, '')).rejects.toMatchObject({
      code: 'PERMANENT',
    });
  });

  it('stops with TEMPORARY when a truncated answer makes no progress', async () => {
    const transport = await setup({ syncPageSize: 0 });
    server.book.put('1.vcf', vcard('1', 'Ada'));
    await expect(collect(transport, '')).rejects.toMatchObject({ code: 'TEMPORARY', message: /no progress/ });
  });
});
