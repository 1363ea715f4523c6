import { ProviderError, silentLogger } from '@contacts/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { carddavAuthorization } from './authorize.js';
import { type ScriptedServer, startScriptedServer } from './test-support/scripted-server.js';

const CREDENTIALS = { username: 'ada', password: 'secret-pw' };

/** Depth 0 PROPFINDs of the book: the state reads. */
const stateReads = (server: ScriptedServer) =>
  server.log.filter((r) => r.method === 'PROPFIND' && r.path.endsWith('/book/') && r.depth === '0').length;

describe('contacts auth carddav (carddavAuthorization) on the scripted server', () => {
  let server: ScriptedServer;
  beforeEach(async () => {
    server = await startScriptedServer({ credentials: CREDENTIALS });
  });
  afterEach(() => server.close());

  const run = (books?: string[]) =>
    carddavAuthorization().run({
      accountId: 'default',
      settings: books ? { books } : {},
      signal: new AbortController().signal,
      logger: silentLogger,
      showUrl: () => {},
      say: () => {},
      inputs: { url: server.url, ...CREDENTIALS },
    });

  it('reads the state of the book it will sync, once, and returns the credentials', async () => {
    await expect(run()).resolves.toEqual(CREDENTIALS);
    expect(stateReads(server)).toBe(1);
  });

  it('reads no state of a book the source does not sync (before the fix it read every book found)', async () => {
    const error = await run(['Elsewhere']).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProviderError);
    expect((error as ProviderError).message).toContain('none of the 1 address book(s)');
    expect(stateReads(server)).toBe(0);
  });
});
