import { ProviderRegistry } from '@contacts/core';
import { MemoryAddressBook, memoryProviderDescriptor } from '@contacts/core/testing';
import { type GoogleEmulator, startGoogleEmulator } from '@contacts/google-emulator';
import { googleProviderDescriptor } from '@contacts/provider-google';
import { butlerTables, contacts } from '@contacts/schema';
import { describeDatabase } from '@contacts/schema/testing';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { eq } from 'drizzle-orm';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { DbCredentialStore } from '../credentials/db-credential-store.js';
import { ContactsModuleError } from '../errors.js';
import { CaptureLogger } from '../test-support/capture-logger.js';
import { ManualClock, ManualTimers } from '../test-support/manual-timers.js';
import { connectClient, emulatorCredentials, resultText } from '../test-support/module-harness.js';
import { ContactsModule } from './contacts-module.js';

// Issue 12: several sources in one butler. Two Google accounts on two emulator instances, and
// Google plus the reference memory provider: one CRM contact per person, provenance per source,
// a deletion in one source tombstones only its link, one source's revoked token leaves the
// other syncing, and each source's status tells the truth.
describeDatabase('two sources in one butler', (t) => {
  let work: GoogleEmulator;
  let home: GoogleEmulator;
  beforeAll(async () => {
    [work, home] = await Promise.all([
      startGoogleEmulator({ people: 6, seed: 3 }),
      startGoogleEmulator({ people: 4, seed: 4 }),
    ]);
  });
  afterAll(async () => {
    await Promise.all([work?.close(), home?.close()]);
  });
  const closers: (() => Promise<void>)[] = [];
  afterEach(async () => {
    await Promise.all(closers.splice(0).map((close) => close()));
  });

  async function start(
    config: Record<string, unknown>,
    book = new MemoryAddressBook(0),
    seed = true,
    pair: { work: GoogleEmulator; home: GoogleEmulator } = { work, home },
  ) {
    const clock = new ManualClock();
    const timers = new ManualTimers(clock);
    const logger = new CaptureLogger();
    const store = new DbCredentialStore({ db: t.db, butlerSchema: t.butlerSchema, clock });
    if (seed) {
      for (const [key, value] of Object.entries(emulatorCredentials(pair.work))) await store.set(key, value);
      for (const [key, value] of Object.entries(emulatorCredentials(pair.home)))
        await store.set(`${key}@home`, value);
    }
    const registry = new ProviderRegistry()
      .register(googleProviderDescriptor)
      .register(memoryProviderDescriptor({ books: { family: book } }));
    const module = new ContactsModule({ registry });
    const server = new McpServer({ name: 'test-butler', version: '0.0.0' });
    module.registerTools(server);
    const client = await connectClient(server);
    closers.push(async () => {
      await module.onShutdown();
      await client.close();
    });
    const startup = () =>
      module.onStartup({
        config,
        db: t.db,
        butlerSchema: t.butlerSchema,
        credentialStore: store,
        logger,
        clock,
        timers,
        runtime: { random: () => 0 },
      });
    const call = async (name: string, args: Record<string, unknown> = {}) =>
      (await client.callTool({ name, arguments: args })) as CallToolResult;
    return { module, call, store, logger, clock, startup, book };
  }

  const twoGoogle = (second = home) => ({
    provider: 'google',
    sync: { run_on_startup: false },
    sources: [{ provider: 'google', account_id: 'home', root_url: second.url, token_url: second.tokenUrl }],
  });
  const links = async (contactId: string) =>
    (await t.db.select().from(butlerTables(t.butlerSchema).contactsSourceLinks))
      .filter((l) => l.localContactId === contactId)
      .map((l) => ({ provider: l.provider, account: l.accountId, deleted: l.deletedAt !== null }))
      .sort((a, b) => `${a.provider}${a.account}`.localeCompare(`${b.provider}${b.account}`));
  /** The external ids each source's provenance holds for a contact, by `provider:account`. */
  const provenance = async (contactId: string) => {
    const [row] = await t.db.select().from(contacts).where(eq(contacts.id, contactId));
    const stored = row?.metadata as { sources?: Record<string, Record<string, unknown>> } | null;
    return Object.fromEntries(
      Object.entries(stored?.sources ?? {})
        .map(([source, entries]) => [source, Object.keys(entries).sort()] as const)
        .sort(([a], [b]) => a.localeCompare(b)),
    );
  };
  const jobTitle = async (contactId: string) =>
    (await t.db.select().from(contacts).where(eq(contacts.id, contactId)))[0]?.jobTitle;
  /** A person edits the CRM by hand, as core's engine tests do: a direct update of the row. */
  const editByHand = (contactId: string, title: string) =>
    t.db.update(contacts).set({ jobTitle: title }).where(eq(contacts.id, contactId));
  const contactsByEmail = async (email: string) => {
    const rows = await t.db.select().from(contacts);
    return rows.filter((c) => JSON.stringify(c).includes(email) || c.id === email);
  };

  it('refuses startup naming every source that lacks credentials and its keys, never a value', async () => {
    const { startup, store } = await start(
      {
        provider: 'google',
        sync: { run_on_startup: false },
        sources: [
          { provider: 'google', account_id: 'home', root_url: home.url },
          { provider: 'google', account_id: 'spare' },
        ],
      },
      undefined,
      false,
    );
    await store.set('GOOGLE_OAUTH_CLIENT_ID@home', 'client-id-home-0123');
    const error = (await startup().catch((e: unknown) => e)) as ContactsModuleError;
    expect(error).toBeInstanceOf(ContactsModuleError);
    expect(error.code).toBe('MISSING_CREDENTIALS');
    expect(error.message).toContain('for 3 sources');
    expect(error.message).toContain(
      'google account "home" lacks GOOGLE_OAUTH_CLIENT_SECRET@home, GOOGLE_REFRESH_TOKEN@home',
    );
    expect(error.message).toContain('google account "spare" lacks GOOGLE_OAUTH_CLIENT_ID@spare');
    expect(error.message).toContain('google account "default" lacks GOOGLE_OAUTH_CLIENT_ID,');
    expect(error.message).toMatch(/dashboard OAuth flow/);
    expect(error.message).not.toContain('client-id-home-0123');
  });

  it('refuses a bad setting of a source table by its key path, and an unknown provider', async () => {
    const bad = await start({
      provider: 'google',
      sources: [{ provider: 'google', account_id: 'x', root_url: 'ftp://x/' }],
    });
    expect(await bad.startup().catch((e: unknown) => e)).toMatchObject({
      code: 'INVALID_CONFIG',
      message: expect.stringMatching(
        /modules\.contacts\.sources\[0\]\.root_url .*it receives the access token/,
      ),
    });
    const unknown = await start({
      provider: 'google',
      sources: [{ provider: 'memory' }, { provider: 'outlook' }],
    });
    expect(await unknown.startup().catch((e: unknown) => e)).toMatchObject({
      code: 'UNSUPPORTED_PROVIDER',
      message:
        'Unsupported contacts provider "outlook" in modules.contacts.sources[1].provider; supported providers: google, memory.',
    });
  });

  it('two Google accounts on two emulators: one contact per person, provenance per account, one revoked token stops only its account', async () => {
    const shared = 'shared.person@example.org';
    for (const emulator of [work, home]) {
      emulator.admin.addPerson({
        names: [{ givenName: 'Shared', familyName: 'Person' }],
        emailAddresses: [{ value: shared, type: 'home' }],
      });
    }
    const h = await start(twoGoogle());
    // The default account's endpoints through the older startup options (the "work" emulator).
    await h.module.onStartup({
      config: twoGoogle(),
      db: t.db,
      butlerSchema: t.butlerSchema,
      credentialStore: h.store,
      logger: h.logger,
      clock: h.clock,
      timers: new ManualTimers(h.clock),
      googleRootUrl: work.url,
      googleTokenUrl: work.tokenUrl,
    });
    expect(h.module.sources.map((s) => `${s.config.provider}:${s.config.account_id}`)).toEqual([
      'google:default',
      'google:home',
    ]);
    // Ambiguous without an account: refused, listing the sources.
    const ambiguous = await h.call('contacts_sync_now', { provider: 'google' });
    expect(ambiguous.isError).toBe(true);
    expect(resultText(ambiguous)).toMatch(
      /2 configured contacts sources match google: google \(default\), google \(home\)/,
    );
    const unknown = await h.call('contacts_sync_status', { account_id: 'nope' });
    expect(resultText(unknown)).toMatch(
      /No configured contacts source is account "nope": this butler syncs google \(default\), google \(home\)/,
    );

    const first = await h.call('contacts_sync_now', { account_id: 'default' });
    expect(first.isError, resultText(first)).toBeFalsy();
    const second = await h.call('contacts_sync_now', { provider: 'google', account_id: 'home' });
    expect(second.isError, resultText(second)).toBeFalsy();
    expect(second.structuredContent).toMatchObject({ account_id: 'home', summary: { failed: 0 } });
    const [person, ...others] = await contactsByEmail(shared);
    expect(others).toEqual([]);
    expect(await links(person!.id)).toEqual([
      { provider: 'google', account: 'default', deleted: false },
      { provider: 'google', account: 'home', deleted: false },
    ]);

    home.admin.revokeRefreshToken();
    const refused = await h.call('contacts_sync_now', { account_id: 'home' });
    expect(refused.isError).toBe(true);
    expect(resultText(refused)).toMatch(/dashboard OAuth flow/);
    work.admin.addPerson({ names: [{ givenName: 'Still', familyName: 'Syncing' }] });
    const still = await h.call('contacts_sync_now', { account_id: 'default' });
    expect(still.structuredContent).toMatchObject({ summary: { created: 1 } });
    expect((await h.call('contacts_source_list')).structuredContent).toMatchObject({
      sources: [
        { provider: 'google', account_id: 'default', status: 'active', last_error: null },
        { provider: 'google', account_id: 'home', status: 'auth_error' },
      ],
    });
    expect(h.module.sources[0]?.runtime?.status().state).not.toBe('auth_error');
    expect(h.module.sources[1]?.runtime?.status().state).toBe('auth_error');
  });

  it('Google and memory: the same person is one contact; a deletion in one source tombstones only its link', async () => {
    const email = 'grace.hopper@example.org';
    work.admin.addPerson({
      names: [{ givenName: 'Grace', familyName: 'Hopper' }],
      emailAddresses: [{ value: email, type: 'work' }],
    });
    const book = new MemoryAddressBook(2);
    book.put({
      external_id: 'people/grace',
      display_name: 'Grace Hopper',
      emails: [{ value: email, primary: true }],
    });
    const h = await start(
      {
        provider: 'google',
        sync: { run_on_startup: false },
        sources: [{ provider: 'memory', account_id: 'family', page_size: 5 }],
      },
      book,
    );
    await h.module.onStartup({
      config: {
        provider: 'google',
        sync: { run_on_startup: false },
        sources: [{ provider: 'memory', account_id: 'family', page_size: 5 }],
      },
      db: t.db,
      butlerSchema: t.butlerSchema,
      credentialStore: h.store,
      logger: h.logger,
      clock: h.clock,
      timers: new ManualTimers(h.clock),
      settingsOverrides: { google: { root_url: work.url, token_url: work.tokenUrl } },
    });
    expect((await h.call('contacts_sync_now', { provider: 'google' })).isError).toBeFalsy();
    const memory = await h.call('contacts_sync_now', { provider: 'memory' });
    expect(memory.structuredContent).toMatchObject({
      provider: 'memory',
      account_id: 'family',
      summary: { fetched: 3 },
    });
    const [grace, ...more] = await contactsByEmail(email);
    expect(more).toEqual([]);
    expect(await links(grace!.id)).toEqual([
      { provider: 'google', account: 'default', deleted: false },
      { provider: 'memory', account: 'family', deleted: false },
    ]);

    book.remove('people/grace');
    const removed = await h.call('contacts_sync_now', { provider: 'memory' });
    expect(removed.structuredContent).toMatchObject({ summary: { deleted: 1 } });
    expect(await links(grace!.id)).toEqual([
      { provider: 'google', account: 'default', deleted: false },
      { provider: 'memory', account: 'family', deleted: true },
    ]);
    const [kept] = await t.db.select().from(contacts).where(eq(contacts.id, grace!.id));
    expect(kept).toBeDefined();
    expect((await h.call('contacts_source_list', { provider: 'memory' })).structuredContent).toMatchObject({
      sources: [{ provider: 'memory', account_id: 'family', status: 'active' }],
    });
  });

  it('two Google accounts: a hand edit survives a change from either account; provenance stays per account', async () => {
    // Emulators of their own: the test above revokes the shared "home" token.
    const [w, hm] = await Promise.all([
      startGoogleEmulator({ people: 0, seed: 5 }),
      startGoogleEmulator({ people: 0, seed: 6 }),
    ]);
    closers.push(async () => {
      await Promise.all([w.close(), hm.close()]);
    });
    const email = 'ada.lovelace@example.org';
    const person = {
      names: [{ givenName: 'Ada', familyName: 'Lovelace' }],
      emailAddresses: [{ value: email, type: 'home' }],
      organizations: [{ name: 'Analytical Engines', title: 'Engineer' }],
    };
    const atWork = w.admin.addPerson(person);
    const atHome = hm.admin.addPerson(person);
    const h = await start(twoGoogle(hm), undefined, true, { work: w, home: hm });
    await h.module.onStartup({
      config: twoGoogle(hm),
      db: t.db,
      butlerSchema: t.butlerSchema,
      credentialStore: h.store,
      logger: h.logger,
      clock: h.clock,
      timers: new ManualTimers(h.clock),
      googleRootUrl: w.url,
      googleTokenUrl: w.tokenUrl,
    });
    const sync = async (account: string) => {
      const result = await h.call('contacts_sync_now', { provider: 'google', account_id: account });
      expect(result.isError, resultText(result)).toBeFalsy();
      return result.structuredContent as { summary: { conflicts: number; updated: number } };
    };
    await sync('default');
    await sync('home');
    const [ada, ...others] = await contactsByEmail(email);
    expect(others).toEqual([]);
    expect(await jobTitle(ada!.id)).toBe('Engineer');

    await editByHand(ada!.id, 'Countess');
    w.admin.updatePerson(atWork.resourceName, {
      organizations: [{ name: 'Analytical Engines', title: 'Manager' }],
    });
    expect((await sync('default')).summary).toMatchObject({ conflicts: 1 });
    expect(await jobTitle(ada!.id)).toBe('Countess');
    hm.admin.updatePerson(atHome.resourceName, {
      organizations: [{ name: 'Analytical Engines', title: 'Director' }],
    });
    expect((await sync('home')).summary).toMatchObject({ conflicts: 1 });
    expect(await jobTitle(ada!.id)).toBe('Countess');
    // Each account keeps its own link and its own provenance entry.
    expect(await links(ada!.id)).toEqual([
      { provider: 'google', account: 'default', deleted: false },
      { provider: 'google', account: 'home', deleted: false },
    ]);
    expect(await provenance(ada!.id)).toEqual({
      'google:default': [atWork.resourceName],
      'google:home': [atHome.resourceName],
    });
  });

  it('Google and memory: a hand edit survives a change from either source; provenance stays per source', async () => {
    const email = 'hedy.lamarr@example.org';
    const atGoogle = work.admin.addPerson({
      names: [{ givenName: 'Hedy', familyName: 'Lamarr' }],
      emailAddresses: [{ value: email, type: 'work' }],
      organizations: [{ name: 'MGM', title: 'Actress' }],
    });
    const book = new MemoryAddressBook(0);
    const hedy = {
      external_id: 'people/hedy',
      display_name: 'Hedy Lamarr',
      emails: [{ value: email, primary: true }],
      organizations: [{ name: 'MGM', title: 'Actress' }],
    };
    book.put(hedy);
    const config = {
      provider: 'google',
      sync: { run_on_startup: false },
      sources: [{ provider: 'memory', account_id: 'family' }],
    };
    const h = await start(config, book);
    await h.module.onStartup({
      config,
      db: t.db,
      butlerSchema: t.butlerSchema,
      credentialStore: h.store,
      logger: h.logger,
      clock: h.clock,
      timers: new ManualTimers(h.clock),
      settingsOverrides: { google: { root_url: work.url, token_url: work.tokenUrl } },
    });
    const sync = async (provider: string) => {
      const result = await h.call('contacts_sync_now', { provider });
      expect(result.isError, resultText(result)).toBeFalsy();
      return result.structuredContent as { summary: { conflicts: number } };
    };
    await sync('google');
    await sync('memory');
    const [contact, ...others] = await contactsByEmail(email);
    expect(others).toEqual([]);
    expect(await jobTitle(contact!.id)).toBe('Actress');

    await editByHand(contact!.id, 'Inventor');
    work.admin.updatePerson(atGoogle.resourceName, { organizations: [{ name: 'MGM', title: 'Star' }] });
    expect((await sync('google')).summary).toMatchObject({ conflicts: 1 });
    expect(await jobTitle(contact!.id)).toBe('Inventor');
    book.put({ ...hedy, organizations: [{ name: 'MGM', title: 'Producer' }] });
    expect((await sync('memory')).summary).toMatchObject({ conflicts: 1 });
    expect(await jobTitle(contact!.id)).toBe('Inventor');
    expect(await links(contact!.id)).toEqual([
      { provider: 'google', account: 'default', deleted: false },
      { provider: 'memory', account: 'family', deleted: false },
    ]);
    expect(await provenance(contact!.id)).toEqual({
      'google:default': [atGoogle.resourceName],
      'memory:family': ['people/hedy'],
    });
  });

  it('a config of [[modules.contacts.sources]] tables alone syncs those sources and asks no default account for keys', async () => {
    // Its own "home" emulator: an earlier test revokes the shared one's token.
    const second = await startGoogleEmulator({ people: 2, seed: 8 });
    closers.push(() => second.close());
    const book = new MemoryAddressBook(3);
    const config = {
      sync: { run_on_startup: false },
      sources: [
        { provider: 'google', account_id: 'home', root_url: second.url, token_url: second.tokenUrl },
        { provider: 'memory', account_id: 'family' },
      ],
    };
    const h = await start(config, book, false);
    // Only the home account's keys: the default account is not configured, so not required.
    for (const [key, value] of Object.entries(emulatorCredentials(second)))
      await h.store.set(`${key}@home`, value);
    await h.startup();
    expect(h.module.sources.map((s) => `${s.config.provider}:${s.config.account_id}`)).toEqual([
      'google:home',
      'memory:family',
    ]);
    expect(h.module.config).toMatchObject({ provider: 'google', account_id: 'home' });
    const google = await h.call('contacts_sync_now', { provider: 'google' });
    expect(google.isError, resultText(google)).toBeFalsy();
    expect(google.structuredContent).toMatchObject({ account_id: 'home', summary: { created: 2 } });
    const memory = await h.call('contacts_sync_now', { provider: 'memory' });
    expect(memory.structuredContent).toMatchObject({ account_id: 'family', summary: { created: 3 } });
    const listed = (await h.call('contacts_source_list')).structuredContent as {
      sources: { provider: string; account_id: string }[];
    };
    expect(listed.sources.map((s) => `${s.provider}:${s.account_id}`)).toEqual([
      'google:home',
      'memory:family',
    ]);
    const unknown = await h.call('contacts_sync_now', { account_id: 'default' });
    expect(resultText(unknown)).toMatch(/this butler syncs google \(home\), memory \(family\)/);
  });
});
