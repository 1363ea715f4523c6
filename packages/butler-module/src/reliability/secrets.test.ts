import { randomBytes } from 'node:crypto';
import { appendFileSync } from 'node:fs';
import type { ContactsProvider } from '@contacts/core';
import { CONTACTS_READONLY_SCOPE, type GoogleEmulator, startGoogleEmulator } from '@contacts/google-emulator';
import { GoogleContactsProvider } from '@contacts/provider-google';
import { queryRows } from '@contacts/schema';
import { describeDatabase } from '@contacts/schema/testing';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CredentialStore } from '../credentials/credential-store.js';
import { DbCredentialStore } from '../credentials/db-credential-store.js';
import { ContactsModule } from '../module/contacts-module.js';
import { CaptureLogger } from '../test-support/capture-logger.js';
import { runCli } from '../test-support/cli-harness.js';
import { ManualClock, ManualTimers } from '../test-support/manual-timers.js';
import { connectClient, resultText } from '../test-support/module-harness.js';
import { CONTACTS_TOOL_NAMES } from '../tools/index.js';
import { deepText, dumpDatabase, type Leak, SecretScanner } from './secret-scan.js';

// Deliverable 5 of issue 7: the client secret, the refresh token and every access token the
// emulator issued never appear in logs (every level, fields serialized), error messages and
// their cause chains, MCP tool results, CLI output, or any row of any table. Since issue 11
// (defect 10) that includes butler_secrets: the store is given a secrets key, so it holds the
// secrets encrypted, and the key itself is searched for everywhere too.
// The real stack runs: the emulator over HTTP, the Google provider, the module and its runtime,
// the MCP tools through a real client, and the `contacts` command. The secrets hold characters
// that change under URL, form and JSON encoding, so each encoded form is a distinct search.

const CLIENT_ID = 'leakcheck-7c1d.apps.googleusercontent.com';
const CLIENT_SECRET = 'GOCSPX-cl1ent/Secr3t+Zq81=xWv3~k9';
const REFRESH_TOKEN = '1//0eRefr3sh/T0ken+K7c9=d2e4_f6a8-Lq';
/** A wrong client secret a person stored by mistake: a secret too. */
const WRONG_CLIENT_SECRET = 'GOCSPX-wr0ng/Secr3t+Pp42=yZt7~m1';
/**
 * The host's key for butler_secrets (issue 11, defect 10): with it, no table holds a secret in
 * plain text, butler_secrets included; and the key itself is searched for everywhere too.
 */
const SECRETS_KEY = randomBytes(32);
const SECRETS_KEY_TEXT = SECRETS_KEY.toString('base64');

const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');

/** What a test read from the system under test, to be searched at its end. */
class Evidence {
  readonly items: { where: string; text: string }[] = [];
  add(where: string, value: unknown): void {
    this.items.push({ where, text: typeof value === 'string' ? value : deepText(value) });
  }
}

/** Totals of one driver's run, for the report (printed with CONTACTS_LEAK_STATS=1). */
function newTotals() {
  return {
    logRecords: 0,
    toolResults: 0,
    errors: 0,
    cliRuns: 0,
    tables: new Set<string>(),
    rows: 0,
    texts: 0,
    chars: 0,
    secrets: new Set<string>(),
  };
}
type Totals = ReturnType<typeof newTotals>;

/** Records every error a provider method throws, then rethrows it. */
function recordingProvider(provider: ContactsProvider, evidence: Evidence, totals: Totals): ContactsProvider {
  return new Proxy(provider, {
    get(target, property) {
      const value = Reflect.get(target, property, target) as unknown;
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        const record = (error: unknown) => {
          evidence.add(`provider.${String(property)} threw`, error);
          totals.errors += 1;
          throw error;
        };
        try {
          const result = (value as (...a: unknown[]) => unknown).apply(target, args);
          return result instanceof Promise ? result.catch(record) : result;
        } catch (error) {
          return record(error);
        }
      };
    },
  });
}

describeDatabase('secrets never leak', (t) => {
  const totals = newTotals();
  let emulator: GoogleEmulator;
  beforeAll(async () => {
    emulator = await startGoogleEmulator({
      seed: 31,
      people: 12,
      credentials: { clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, refreshToken: REFRESH_TOKEN },
    });
  });
  afterAll(async () => {
    await emulator?.close();
  });

  /** Back to a working refresh token and no pending fault, whatever the last test did. */
  const healEmulator = () => {
    emulator.admin.clearFaults();
    emulator.admin.rotateRefreshToken(REFRESH_TOKEN);
  };

  interface StartOptions {
    emulator?: GoogleEmulator;
    config?: Record<string, unknown>;
    /** Wraps the real provider (to crash it). */
    wrap?: (provider: ContactsProvider, evidence: Evidence) => ContactsProvider;
    /** Wraps the credential store (to break it). */
    store?: (store: CredentialStore) => CredentialStore;
  }

  async function start(options: StartOptions = {}) {
    healEmulator();
    const em = options.emulator ?? emulator;
    const evidence = new Evidence();
    const clock = new ManualClock(Date.now());
    const timers = new ManualTimers(clock);
    const logger = new CaptureLogger();
    const dbStore = new DbCredentialStore({
      db: t.db,
      butlerSchema: t.butlerSchema,
      clock,
      secretsKey: SECRETS_KEY_TEXT,
    });
    await dbStore.set('GOOGLE_OAUTH_CLIENT_ID', CLIENT_ID);
    await dbStore.set('GOOGLE_OAUTH_CLIENT_SECRET', CLIENT_SECRET);
    await dbStore.set('GOOGLE_REFRESH_TOKEN', REFRESH_TOKEN);
    const module = new ContactsModule();
    const server = new McpServer({ name: 'leak-check', version: '0.0.0' });
    module.registerTools(server);
    const client = await connectClient(server);
    await module.onStartup({
      config: { provider: 'google', sync: { run_on_startup: false }, ...options.config },
      db: t.db,
      butlerSchema: t.butlerSchema,
      credentialStore: options.store ? options.store(dbStore) : dbStore,
      logger,
      clock,
      timers,
      googleRootUrl: em.url,
      googleTokenUrl: em.tokenUrl,
      runtime: { random: () => 0 },
      // The real provider, with retries that do not wait and small pages (several per sync).
      providerFactory: (request) => {
        const provider = new GoogleContactsProvider({
          ...request.credentials,
          rootUrl: request.googleRootUrl,
          tokenUrl: request.googleTokenUrl,
          includeOtherContacts: request.config.include_other_contacts,
          logger: request.logger,
          clock: request.clock,
          pageSize: 5,
          sleep: async () => {},
          random: () => 0,
        });
        const recorded = recordingProvider(provider, evidence, totals);
        return options.wrap ? options.wrap(recorded, evidence) : recorded;
      },
    });
    timers.settle = async () => module.runtime?.whenIdle();
    const call = async (name: string, args: Record<string, unknown> = {}) => {
      const result = (await client.callTool({ name, arguments: args })) as CallToolResult;
      evidence.add(`tool ${name} ${JSON.stringify(args)}`, result);
      totals.toolResults += 1;
      return result;
    };
    /** The host's own call: the error it throws, cause chain and all, is evidence. */
    const syncDirect = async (mode: 'full' | 'incremental' = 'incremental') => {
      try {
        return { result: await module.runtime!.syncNow({ mode }), error: undefined };
      } catch (error) {
        evidence.add('runtime.syncNow threw', error);
        totals.errors += 1;
        return { result: undefined, error };
      }
    };
    return { module, client, call, syncDirect, logger, timers, clock, evidence, store: dbStore, em };
  }
  type Harness = Awaited<ReturnType<typeof start>>;

  /**
   * Reads every surface once more (the four tools, the runtime status, every log line, every
   * table), searches all evidence for every secret, and shuts the module down.
   */
  async function sweep(h: Harness, extra: Evidence[] = []): Promise<void> {
    for (const name of CONTACTS_TOOL_NAMES) {
      if (name === 'contacts_sync_now' || name === 'contacts_source_reconcile') continue;
      await h.call(name);
      await h.call(name, { provider: 'google' });
    }
    h.evidence.add('runtime.status()', h.module.runtime?.status() ?? null);
    await h.module.onShutdown();
    await h.client.close();
    h.logger.lines.forEach((line, i) => {
      h.evidence.add(`log #${i} ${line.level} ${line.message}`, line);
    });
    totals.logRecords += h.logger.lines.length;
    await sweepDatabase(h.evidence);
    expect(findLeaks([h.evidence, ...extra], [h.em, emulator])).toEqual([]);
  }

  /** Every row of every table, butler_secrets included: with a key, it holds no plain secret either. */
  async function sweepDatabase(evidence: Evidence): Promise<void> {
    const tables = await dumpDatabase(t.db, []);
    expect(tables.map((d) => d.table)).toContain(`${t.butlerSchema}.butler_secrets`);
    for (const { table, rows } of tables) {
      totals.tables.add(table);
      totals.rows += rows.length;
      for (const [i, row] of rows.entries()) evidence.add(`table ${table} row ${i}`, row);
    }
  }

  function findLeaks(evidence: Evidence[], emulators: GoogleEmulator[]): Leak[] {
    const scanner = new SecretScanner();
    const secrets: [string, string][] = [
      ['client secret', CLIENT_SECRET],
      ['refresh token', REFRESH_TOKEN],
      ['wrong client secret', WRONG_CLIENT_SECRET],
      ['secrets key (base64)', SECRETS_KEY_TEXT],
      ['secrets key (hex)', SECRETS_KEY.toString('hex')],
      ...emulators.flatMap((em) =>
        em.admin.issuedAccessTokens().map((token, i): [string, string] => [`access token #${i}`, token]),
      ),
    ];
    for (const [label, secret] of secrets) {
      scanner.add(label, secret);
      totals.secrets.add(secret);
    }
    const leaks = evidence.flatMap((e) => e.items.flatMap((item) => scanner.scan(item.where, item.text)));
    // To read what was searched: CONTACTS_LEAK_DUMP=/tmp/evidence.jsonl
    const dump = process.env.CONTACTS_LEAK_DUMP;
    if (dump)
      appendFileSync(dump, `${evidence.flatMap((e) => e.items.map((i) => JSON.stringify(i))).join('\n')}\n`);
    totals.texts += scanner.stats.texts;
    totals.chars += scanner.stats.chars;
    return leaks;
  }

  afterAll(() => {
    if (process.env.CONTACTS_LEAK_STATS) {
      console.info(
        `[${t.driver}] searched ${totals.texts} texts (${totals.chars} chars) for ${totals.secrets.size} secrets: ` +
          `${totals.logRecords} log records, ${totals.toolResults} tool results, ${totals.errors} errors, ` +
          `${totals.cliRuns} CLI runs, ${totals.rows} rows of ${totals.tables.size} tables (${[...totals.tables].join(', ')})`,
      );
    }
  });

  it('a successful sync: startup poll, the tools, a 401 that refreshes the token, a reconcile', async () => {
    const h = await start({ config: { sync: { run_on_startup: true } } });
    await h.timers.runNext();
    expect(h.module.runtime?.status().lastResult?.summary.created).toBe(12);
    const [someone] = emulator.admin.people();
    emulator.admin.updatePerson(someone!.resourceName, { nicknames: [{ value: 'Renamed' }] });
    emulator.admin.addPerson({ names: [{ givenName: 'New', familyName: 'Person' }] });
    // Every access token dies: the next call gets a 401, refreshes once and goes on.
    emulator.admin.revokeAccessTokens();
    const now = await h.call('contacts_sync_now', { mode: 'incremental' });
    expect(now.isError, resultText(now)).toBeFalsy();
    expect(now.structuredContent).toMatchObject({ summary: { fetched: 2, created: 1, updated: 1 } });
    expect((await h.call('contacts_sync_now', { mode: 'full' })).isError).toBeFalsy();
    const [crmContact] = await queryRows<{ id: string }>(t.db, sql`select id from shared.contacts limit 1`);
    expect((await h.call('contacts_source_reconcile', { contact_id: crmContact!.id })).isError).toBeFalsy();
    await h.timers.runNext();
    expect(emulator.admin.issuedAccessTokens().length).toBeGreaterThanOrEqual(2);
    await sweep(h);
  });

  it('token endpoint failures: invalid_grant, invalid_client, 500, a malformed answer, echoed requests', async () => {
    const h = await start();
    const failWith = async (pattern: RegExp, breakIt: () => void) => {
      // A fresh provider has no access token yet; a used one loses it: either way /token is asked.
      emulator.admin.revokeAccessTokens();
      breakIt();
      const viaTool = await h.call('contacts_sync_now');
      expect(viaTool.isError).toBe(true);
      expect(resultText(viaTool)).toMatch(pattern);
      emulator.admin.revokeAccessTokens();
      breakIt();
      const { error } = await h.syncDirect();
      expect(error).toBeInstanceOf(Error);
      healEmulator();
    };
    await failWith(/invalid_grant/, () => emulator.admin.revokeRefreshToken());
    await failWith(/HTTP 500|token endpoint/i, () =>
      emulator.admin.injectFault({ kind: 'serverError', endpoint: 'token', times: 20 }),
    );
    await failWith(/./, () =>
      emulator.admin.injectFault({ kind: 'malformed', endpoint: 'token', times: 20 }),
    );
    await failWith(/invalid_request/, () =>
      emulator.admin.injectFault({ kind: 'echoRequest', endpoint: 'token', times: 20 }),
    );
    await failWith(/invalid_client/, () =>
      emulator.admin.injectFault({ kind: 'echoRequest', status: 401, endpoint: 'token', times: 20 }),
    );
    await failWith(/./, () =>
      emulator.admin.injectFault({ kind: 'echoRequest', status: 500, endpoint: 'token', times: 20 }),
    );
    // A wrong client secret in the store: the runtime reopens the provider with it.
    await h.store.set('GOOGLE_OAUTH_CLIENT_SECRET', WRONG_CLIENT_SECRET);
    await failWith(/invalid_client/, () => {});
    await h.store.set('GOOGLE_OAUTH_CLIENT_SECRET', CLIENT_SECRET);
    const recovered = await h.call('contacts_sync_now');
    expect(recovered.isError, resultText(recovered)).toBeFalsy();
    await sweep(h);
  });

  it('People API failures: 401, 429, 500, malformed pages and echoed requests', async () => {
    const h = await start();
    expect((await h.call('contacts_sync_now')).isError).toBeFalsy();
    const failWith = async (
      pattern: RegExp,
      fault: Parameters<GoogleEmulator['admin']['injectFault']>[0],
    ) => {
      emulator.admin.injectFault({ times: 20, ...fault });
      const viaTool = await h.call('contacts_sync_now', { mode: 'full' });
      expect(viaTool.isError).toBe(true);
      expect(resultText(viaTool)).toMatch(pattern);
      h.clock.advance(10 * 60_000);
      const { error } = await h.syncDirect('full');
      expect(error).toBeInstanceOf(Error);
      healEmulator();
      h.clock.advance(10 * 60_000);
    };
    await failWith(/HTTP 401/, { kind: 'echoRequest', status: 401, endpoint: 'connections' });
    await failWith(/HTTP 400/, { kind: 'echoRequest', endpoint: 'connections' });
    await failWith(/HTTP 500/, { kind: 'echoRequest', status: 500, endpoint: 'contactGroups' });
    await failWith(/HTTP 500/, { kind: 'serverError', endpoint: 'connections' });
    await failWith(/malformed/, { kind: 'malformed', endpoint: 'connections' });
    await failWith(/rate limit/i, { kind: 'rateLimit', retryAfterSeconds: 120, endpoint: 'connections' });
    const recovered = await h.call('contacts_sync_now');
    expect(recovered.isError, resultText(recovered)).toBeFalsy();
    await sweep(h);
  });

  it('People API 403: a token without the other-contacts scope', async () => {
    const narrow = await startGoogleEmulator({
      seed: 32,
      people: 3,
      scopes: [CONTACTS_READONLY_SCOPE],
      credentials: { clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, refreshToken: REFRESH_TOKEN },
    });
    try {
      const h = await start({ emulator: narrow, config: { include_other_contacts: true } });
      const refused = await h.call('contacts_sync_now');
      expect(refused.isError).toBe(true);
      expect(resultText(refused)).toMatch(/HTTP 403/);
      await h.syncDirect('full');
      await sweep(h);
    } finally {
      await narrow.close();
    }
  });

  it('malformed people: failure rows keep their payload and error, never a secret', async () => {
    const h = await start();
    emulator.admin.addPerson({
      names: [{ givenName: 'Huge', familyName: 'Email' }],
      // Valid for the model, refused by the database: too large for an index row, and random.
      emailAddresses: [{ value: `${randomBytes(2_500).toString('hex')}@example.org` }],
    });
    emulator.admin.addPerson({
      names: [{ givenName: 'Bad', familyName: 'Date' }],
      birthdays: [{ date: { month: 13, day: 40 } }],
    });
    const result = await h.call('contacts_sync_now', { mode: 'full' });
    expect(result.isError, resultText(result)).toBeFalsy();
    expect((result.structuredContent as { summary: { failed: number } }).summary.failed).toBeGreaterThan(0);
    await sweep(h);
  });

  it('crashes: a provider throwing a raw library error that quotes its request, a broken credential store', async () => {
    let crash = false;
    let storeBroken = false;
    const quote = () => {
      const token = emulator.admin.issuedAccessTokens().at(-1) ?? 'ya29.none';
      const body = new URLSearchParams({
        client_id: CLIENT_ID,
        client_secret: CLIENT_SECRET,
        refresh_token: REFRESH_TOKEN,
      }).toString();
      // What an HTTP library's error looks like: the request config, headers and body included.
      return Object.assign(
        new Error(
          `request to ${emulator.tokenUrl} failed: authorization: Bearer ${token}; Basic ${b64(`${CLIENT_ID}:${CLIENT_SECRET}`)}; body ${body}; refresh_token=${encodeURIComponent(REFRESH_TOKEN)}`,
        ),
        {
          code: 'ERR_LIBRARY',
          config: { headers: { authorization: `Bearer ${token}` }, data: body, secret: CLIENT_SECRET },
        },
      );
    };
    const h = await start({
      config: { sync: { run_on_startup: true } },
      wrap: (provider) =>
        new Proxy(provider, {
          get(target, property) {
            const value = Reflect.get(target, property, target) as unknown;
            if (property !== 'fullSync' && property !== 'incrementalSync') return value;
            return async (...args: unknown[]) => {
              const batch = await (value as (...a: unknown[]) => Promise<unknown>).apply(target, args);
              // The quote sits in the cause: redaction must follow the chain.
              if (crash) throw new Error('page failed', { cause: quote() });
              return batch;
            };
          },
        }),
      store: (store) => ({
        get: async (key) => {
          if (storeBroken)
            throw new Error(
              `could not decrypt ${key}: ${REFRESH_TOKEN} / ${encodeURIComponent(CLIENT_SECRET)}`,
            );
          return store.get(key);
        },
      }),
    });
    await h.timers.runNext();
    crash = true;
    const viaTool = await h.call('contacts_sync_now');
    expect(viaTool.isError).toBe(true);
    await h.syncDirect();
    await h.call('contacts_source_reconcile');
    await h.timers.runNext(); // the background cycle crashes too
    expect(h.logger.find('contacts_sync_backoff').length).toBeGreaterThan(0);
    crash = false;
    storeBroken = true;
    const broken = await h.call('contacts_sync_now');
    expect(broken.isError).toBe(true);
    await h.syncDirect();
    // Parked in auth_error, the poller only re-reads the store: that read fails the tick itself.
    storeBroken = false;
    emulator.admin.revokeRefreshToken();
    emulator.admin.revokeAccessTokens();
    expect(resultText(await h.call('contacts_sync_now'))).toMatch(/invalid_grant/);
    storeBroken = true;
    await h.timers.runNext();
    expect(h.logger.find('contacts_runtime_tick_failed')).toHaveLength(1);
    storeBroken = false;
    await sweep(h);
  });

  it('the contacts command: secrets set/list, sync with debug logs, status, failures', async () => {
    healEmulator();
    const evidence = new Evidence();
    const cli = async (argv: string[], options: Parameters<typeof runCli>[1] = {}) => {
      const result = await runCli([...argv, '--butler-schema', t.butlerSchema], {
        db: t.db,
        env: {
          CONTACTS_GOOGLE_ROOT_URL: emulator.url,
          CONTACTS_GOOGLE_TOKEN_URL: emulator.tokenUrl,
          CONTACTS_SECRETS_KEY: SECRETS_KEY_TEXT,
        },
        ...options,
      });
      const shown = argv.map((arg) => (arg === CLIENT_SECRET ? '<client secret>' : arg)).join(' ');
      evidence.add(`contacts ${shown} (exit ${result.code})`, result);
      totals.cliRuns += 1;
      return result;
    };
    expect((await cli(['secrets', 'set', 'GOOGLE_OAUTH_CLIENT_ID', CLIENT_ID])).code).toBe(0);
    expect((await cli(['secrets', 'set', 'GOOGLE_OAUTH_CLIENT_SECRET', CLIENT_SECRET])).code).toBe(0);
    expect(
      (await cli(['secrets', 'set', 'GOOGLE_REFRESH_TOKEN'], { stdin: `${REFRESH_TOKEN}\n` })).code,
    ).toBe(0);
    // A mistyped flag next to a secret: commander's usage error must not quote the value.
    expect((await cli(['secrets', 'set', 'GOOGLE_OAUTH_CLIENT_SECRET', CLIENT_SECRET, '--bogus'])).code).toBe(
      2,
    );
    expect((await cli(['secrets', 'list'])).code).toBe(0);
    expect((await cli(['secrets', 'list', '--json'])).code).toBe(0);
    const synced = await cli(['sync', '-v']);
    expect(synced.code, synced.stderr).toBe(0);
    expect(synced.stderr).toMatch(/debug/);
    expect((await cli(['sync', '--json', '-v'])).code).toBe(0);
    emulator.admin.revokeRefreshToken();
    const refused = await cli(['sync', '-v']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/invalid_grant/);
    healEmulator();
    emulator.admin.injectFault({ kind: 'echoRequest', endpoint: 'token', times: 5 });
    const echoed = await cli(['sync', '--full', '-v']);
    expect(echoed.code).toBe(1);
    expect(echoed.stderr).toMatch(/invalid_request/);
    healEmulator();
    expect((await cli(['status'])).code).toBe(0);
    expect((await cli(['status', '--json'])).code).toBe(0);
    await sweepDatabase(evidence);
    expect(findLeaks([evidence], [emulator])).toEqual([]);
  });
});

describe('the leak scanner itself', () => {
  it('finds a secret as is, percent-encoded in either case, form-encoded, in base64 and cut short', () => {
    const scanner = new SecretScanner();
    scanner.add('refresh token', REFRESH_TOKEN);
    scanner.add('client secret', CLIENT_SECRET);
    const found = (text: string) => scanner.scan('test', text).map((l) => l.secret);
    expect(found(`x ${REFRESH_TOKEN} y`)).toEqual(['refresh token']);
    expect(found(encodeURIComponent(REFRESH_TOKEN).toLowerCase())).toEqual(['refresh token']);
    expect(found(new URLSearchParams({ client_secret: CLIENT_SECRET }).toString())).toEqual([
      'client secret',
    ]);
    expect(found(`Basic ${b64(`${CLIENT_ID}:${CLIENT_SECRET}`)}`)).toEqual(['client secret']);
    expect(found(Buffer.from(`{"t":"${REFRESH_TOKEN}"}`).toString('base64url'))).toEqual(['refresh token']);
    expect(found(`...${REFRESH_TOKEN.slice(0, 18)}`)).toEqual(['refresh token']);
    expect(found('token [redacted] refused; 1//0e… GOCSPX-…')).toEqual([]);
  });

  it('reads errors whole: message, stack, cause chain and own properties', () => {
    const inner = Object.assign(new Error('inner'), { config: { headers: { authorization: 'Bearer abc' } } });
    const text = deepText(new Error('outer', { cause: inner }));
    expect(text).toContain('Bearer abc');
    expect(text).toContain('outer');
  });
});
