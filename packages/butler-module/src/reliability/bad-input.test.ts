import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { queryRows } from '@contacts/schema';
import { describeDatabase } from '@contacts/schema/testing';
import { McpError } from '@modelcontextprotocol/sdk/types.js';
import { sql } from 'drizzle-orm';
import { parse } from 'smol-toml';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { DbCredentialStore } from '../credentials/db-credential-store.js';
import { ContactsModuleError } from '../errors.js';
import { ContactsModule } from '../module/contacts-module.js';
import { CaptureLogger } from '../test-support/capture-logger.js';
import { runCli } from '../test-support/cli-harness.js';
import { ManualClock, ManualTimers } from '../test-support/manual-timers.js';
import {
  FAKE_CREDENTIALS,
  resultText,
  seedCredentials,
  startModuleHarness,
} from '../test-support/module-harness.js';
import { type DatabaseSnapshot, snapshotDatabase } from './db-snapshot.js';

/** With CONTACTS_BAD_INPUT_REPORT=1, every case and the message it got are printed, to read them all. */
const report = (label: string, message: string) => {
  if (process.env.CONTACTS_BAD_INPUT_REPORT)
    console.info(`${label}\n    -> ${message.replace(/\n/g, ' | ')}`);
};

// Deliverable 6 of issue 7: every invalid `[modules.contacts]` value, every invalid MCP tool
// argument and every invalid `contacts` flag gets a clear error naming it, and changes nothing:
// the whole database (every table of every schema, butler_secrets included) is the same before
// and after, and no sync runs.
//
// Decided here: `[modules.contacts]`, its `sync` table and every tool's arguments are strict.
// An unknown key or argument is refused, naming it, because a misspelt one (`interval_minute`,
// `mdoe: "full"`) would otherwise be dropped in silence and the default would run instead.

/** A butler.toml with the given `[modules.contacts]` lines and, when given, `[modules.contacts.sync]` lines. */
const toml = (contacts: string, sync?: string): string =>
  `[modules.contacts]\n${contacts}\n${sync === undefined ? '' : `[modules.contacts.sync]\n${sync}\n`}`;
const google = 'provider = "google"';

interface ConfigCase {
  /** What is wrong, for the report. */
  name: string;
  /** The butler.toml. */
  file: string;
  /** Key paths the message must name. */
  keys: string[];
  /** What the message must say is expected. */
  expects: RegExp;
  code?: 'INVALID_CONFIG' | 'UNSUPPORTED_PROVIDER';
}

const bad = (
  name: string,
  file: string,
  key: string,
  expects: RegExp,
  code?: ConfigCase['code'],
): ConfigCase => ({ name, file, keys: [key], expects, code });

const P = 'modules.contacts.provider';
const A = 'modules.contacts.account_id';
const O = 'modules.contacts.include_other_contacts';
const S = 'modules.contacts.sync';
const E = 'modules.contacts.sync.enabled';
const R = 'modules.contacts.sync.run_on_startup';
const I = 'modules.contacts.sync.interval_minutes';
const D = 'modules.contacts.sync.full_sync_interval_days';
const G = 'modules.contacts.sync.deletion_guard_percent';
const M = 'modules.contacts.sync.deletion_guard_min_contacts';
const PERCENT = /must be a whole number of percent from 1 to 100/;
const BOOK = /must be a whole number of contacts from 1 to 1000000/;
const STRING = /must be the name of a provider as a string/;
const BOOL = /must be true or false/;
const MINUTES = /must be a whole number of minutes from 1 to 1440/;
const DAYS = /must be a whole number of days from 1 to 30/;
const TABLE = /must be a table/;
const UNKNOWN = /is not a known key .* takes .*: remove it or fix its spelling/;
const UNSUPPORTED = /Unsupported contacts provider .* supported providers: carddav, google/;

const CONFIG_CASES: ConfigCase[] = [
  bad('provider missing', toml('include_other_contacts = true'), P, /is required/),
  bad('provider a number', toml('provider = 5'), P, STRING),
  bad('provider a boolean', toml('provider = true'), P, STRING),
  bad('provider an array', toml('provider = ["google"]'), P, STRING),
  bad('provider a table', toml('provider = { name = "google" }'), P, STRING),
  bad('provider empty', toml('provider = ""'), P, /must not be empty/),
  bad('provider blank', toml('provider = "   "'), P, /must not be empty/),
  bad('provider unknown', toml('provider = "outlook"'), P, UNSUPPORTED, 'UNSUPPORTED_PROVIDER'),
  bad('provider NaN-like', toml('provider = "NaN"'), P, UNSUPPORTED, 'UNSUPPORTED_PROVIDER'),
  bad('provider huge', toml(`provider = "${'x'.repeat(10_000)}"`), P, UNSUPPORTED, 'UNSUPPORTED_PROVIDER'),
  bad('account_id empty', toml(`${google}\naccount_id = ""`), A, /must not be empty/),
  bad('account_id blank', toml(`${google}\naccount_id = "   "`), A, /must not be empty/),
  bad('account_id a number', toml(`${google}\naccount_id = 42`), A, /must be a string/),
  bad('account_id a boolean', toml(`${google}\naccount_id = false`), A, /must be a string/),
  bad('account_id too long', toml(`${google}\naccount_id = "${'a'.repeat(201)}"`), A, /at most 200/),
  // Issue 11: a NUL reached the database, which refused it with a raw encoding error.
  bad(
    'account_id with a NUL',
    toml(`${google}\naccount_id = "work\\u0000"`),
    A,
    /must not contain control characters \(U\+0000/,
  ),
  bad(
    'account_id with ESC',
    toml(`${google}\naccount_id = "work\\u001b[2J"`),
    A,
    /must not contain control characters/,
  ),
  bad('include_other_contacts a string', toml(`${google}\ninclude_other_contacts = "yes"`), O, BOOL),
  bad('include_other_contacts "true"', toml(`${google}\ninclude_other_contacts = "true"`), O, BOOL),
  bad('include_other_contacts a number', toml(`${google}\ninclude_other_contacts = 1`), O, BOOL),
  bad('sync a number', toml(`${google}\nsync = 5`), S, TABLE),
  bad('sync a string', toml(`${google}\nsync = "hourly"`), S, TABLE),
  bad('sync an array', toml(`${google}\nsync = []`), S, TABLE),
  bad('enabled a string', toml(google, 'enabled = "false"'), E, BOOL),
  bad('enabled a number', toml(google, 'enabled = 0'), E, BOOL),
  bad('run_on_startup a string', toml(google, 'run_on_startup = "yes"'), R, BOOL),
  bad('run_on_startup a number', toml(google, 'run_on_startup = 1'), R, BOOL),
  bad('interval zero', toml(google, 'interval_minutes = 0'), I, MINUTES),
  bad('interval negative', toml(google, 'interval_minutes = -5'), I, MINUTES),
  bad('interval fractional', toml(google, 'interval_minutes = 1.5'), I, MINUTES),
  bad('interval above a day', toml(google, 'interval_minutes = 1441'), I, MINUTES),
  bad('interval huge', toml(google, 'interval_minutes = 1_000_000_000'), I, MINUTES),
  bad('interval 1e400', toml(google, 'interval_minutes = 1e400'), I, MINUTES),
  bad('interval nan', toml(google, 'interval_minutes = nan'), I, MINUTES),
  bad('interval inf', toml(google, 'interval_minutes = inf'), I, MINUTES),
  bad('interval -inf', toml(google, 'interval_minutes = -inf'), I, MINUTES),
  bad('interval a string', toml(google, 'interval_minutes = "15"'), I, MINUTES),
  bad('interval "NaN"', toml(google, 'interval_minutes = "NaN"'), I, MINUTES),
  bad('interval a boolean', toml(google, 'interval_minutes = true'), I, MINUTES),
  bad('interval a date', toml(google, 'interval_minutes = 2026-01-01'), I, MINUTES),
  bad('full sync days zero', toml(google, 'full_sync_interval_days = 0'), D, DAYS),
  bad('full sync days negative', toml(google, 'full_sync_interval_days = -1'), D, DAYS),
  bad('full sync days above 30', toml(google, 'full_sync_interval_days = 31'), D, DAYS),
  bad('full sync days fractional', toml(google, 'full_sync_interval_days = 2.5'), D, DAYS),
  bad('full sync days nan', toml(google, 'full_sync_interval_days = nan'), D, DAYS),
  bad('full sync days a string', toml(google, 'full_sync_interval_days = "6"'), D, DAYS),
  bad('deletion guard percent zero', toml(google, 'deletion_guard_percent = 0'), G, PERCENT),
  bad('deletion guard percent above 100', toml(google, 'deletion_guard_percent = 101'), G, PERCENT),
  bad('deletion guard percent fractional', toml(google, 'deletion_guard_percent = 12.5'), G, PERCENT),
  bad('deletion guard percent a string', toml(google, 'deletion_guard_percent = "20%"'), G, PERCENT),
  bad('deletion guard book zero', toml(google, 'deletion_guard_min_contacts = 0'), M, BOOK),
  bad('deletion guard book nan', toml(google, 'deletion_guard_min_contacts = nan'), M, BOOK),
  bad('unknown key', toml(`${google}\ncolour = "red"`), 'modules.contacts.colour', UNKNOWN),
  bad('unknown sync key', toml(google, 'interval = 5'), 'modules.contacts.sync.interval', UNKNOWN),
  bad(
    'misspelt sync key',
    toml(google, 'interval_minute = 30'),
    'modules.contacts.sync.interval_minute',
    UNKNOWN,
  ),
  {
    name: 'misspelt provider key',
    file: toml('providers = "google"'),
    keys: ['modules.contacts.providers', P],
    expects: UNKNOWN,
  },
  {
    name: 'two bad values',
    file: toml(google, 'interval_minutes = 0\nfull_sync_interval_days = 0'),
    keys: [I, D],
    expects: MINUTES,
  },
  bad('the table a string', '[modules]\ncontacts = "google"\n', 'modules.contacts', TABLE),
  bad('the table a number', '[modules]\ncontacts = 5\n', 'modules.contacts', TABLE),
];

const UUID = 'c0ffee00-0000-4000-8000-000000000001';
const TOOLS = [
  'contacts_sync_now',
  'contacts_sync_status',
  'contacts_source_list',
  'contacts_source_reconcile',
] as const;

interface ToolCase {
  tool: (typeof TOOLS)[number];
  args: unknown;
  /** The message must match this. */
  names: RegExp;
}

const PROVIDERS: unknown[] = [
  5,
  true,
  null,
  {},
  ['google'],
  'outlook',
  'Google',
  '',
  ' google',
  'x'.repeat(1000),
];
const MODES: unknown[] = ['fast', 'FULL', '', 5, null, true, ['full']];
const CONFIRMS: unknown[] = ['yes', 'true', 1, 0, null, {}, [true]];
const CONTACT_IDS: unknown[] = [
  '',
  'not-a-uuid',
  '123',
  5,
  null,
  [UUID],
  'c0ffee00-0000-4000-8000-00000000000g',
  `${UUID}1`,
  "'; drop table shared.contacts; --",
];
const PROVIDER_MESSAGE =
  /provider must be one of "carddav", "google", the providers this butler syncs .* at provider/;
const unknownArgument = (key: string, tool: string) =>
  new RegExp(`Unknown argument "${key}": ${tool} takes .* only`);

const TOOL_CASES: ToolCase[] = [
  ...TOOLS.flatMap((tool) =>
    PROVIDERS.map((provider) => ({ tool, args: { provider }, names: PROVIDER_MESSAGE })),
  ),
  ...MODES.map((mode) => ({
    tool: 'contacts_sync_now' as const,
    args: { mode },
    names: /mode must be "incremental" or "full".* at mode/,
  })),
  ...CONFIRMS.map((confirm_deletions) => ({
    tool: 'contacts_sync_now' as const,
    args: { confirm_deletions },
    names: /confirm_deletions must be true or false.* at confirm_deletions/,
  })),
  ...CONTACT_IDS.map((contact_id) => ({
    tool: 'contacts_source_reconcile' as const,
    args: { contact_id },
    names: /contact_id must be a CRM contact id, a UUID.* at contact_id/,
  })),
  { tool: 'contacts_sync_now', args: { mdoe: 'full' }, names: unknownArgument('mdoe', 'contacts_sync_now') },
  {
    tool: 'contacts_sync_now',
    args: { contact_id: UUID },
    names: unknownArgument('contact_id', 'contacts_sync_now'),
  },
  {
    tool: 'contacts_sync_now',
    args: { provider: 'google', mode: 'full', force: true },
    names: unknownArgument('force', 'contacts_sync_now'),
  },
  {
    tool: 'contacts_sync_status',
    args: { mode: 'full' },
    names: unknownArgument('mode', 'contacts_sync_status'),
  },
  {
    tool: 'contacts_source_list',
    args: { account: 'work' },
    names: unknownArgument('account', 'contacts_source_list'),
  },
  {
    tool: 'contacts_source_reconcile',
    args: { contactId: UUID },
    names: unknownArgument('contactId', 'contacts_source_reconcile'),
  },
  {
    tool: 'contacts_source_reconcile',
    args: { mode: 'full', contact_id: 'nope' },
    names: /^(?=[\s\S]*Unknown argument "mode")(?=[\s\S]*contact_id must be a CRM contact id)/,
  },
];

/** Arguments that are not an object at all: the SDK refuses them before any tool code runs. */
const NOT_OBJECTS: unknown[] = ['x', [1], 5, null];

describeDatabase('bad configuration and bad input change nothing', (t) => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'contacts-bad-input-'));
  });
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  /** A database with something in every kind of table: a good sync ran, credentials are stored. */
  async function seeded(): Promise<{ before: DatabaseSnapshot }> {
    const h = await startModuleHarness(t.db, t.butlerSchema, {
      config: { provider: 'google', sync: { run_on_startup: false } },
    });
    await h.start();
    expect((await h.call('contacts_sync_now')).isError).toBeFalsy();
    await h.close();
    return { before: await snapshotDatabase(t.db) };
  }

  it(`every invalid [modules.contacts] value (${CONFIG_CASES.length} cases) fails startup naming its key; nothing changes, no runtime starts`, async () => {
    const { before } = await seeded();
    for (const c of CONFIG_CASES) {
      const contacts = (parse(c.file) as { modules: { contacts: unknown } }).modules.contacts;
      const clock = new ManualClock();
      const timers = new ManualTimers(clock);
      const logger = new CaptureLogger();
      let providersBuilt = 0;
      const module = new ContactsModule();
      const error = await module
        .onStartup({
          config: contacts,
          db: t.db,
          butlerSchema: t.butlerSchema,
          credentialStore: new DbCredentialStore({ db: t.db, butlerSchema: t.butlerSchema }),
          logger,
          clock,
          timers,
          providerFactory: () => {
            providersBuilt += 1;
            throw new Error('no provider may be built for a refused config');
          },
        })
        .then(
          () => null,
          (e: unknown) => e,
        );
      expect.soft(error, c.name).toBeInstanceOf(ContactsModuleError);
      expect.soft((error as ContactsModuleError | null)?.code, c.name).toBe(c.code ?? 'INVALID_CONFIG');
      const message = (error as Error | null)?.message ?? '';
      report(`config ${c.name}`, message);
      for (const key of c.keys) expect.soft(message, c.name).toContain(key);
      expect.soft(message, c.name).toMatch(c.expects);
      expect.soft(message.length, `${c.name}: a short message`).toBeLessThan(400);
      expect.soft(module.runtime, c.name).toBeNull();
      expect.soft(module.config, c.name).toBeNull();
      expect.soft(providersBuilt, c.name).toBe(0);
      expect.soft(timers.pendingCount, c.name).toBe(0);
      expect.soft(logger.lines, c.name).toEqual([]);
      await module.onShutdown();
    }
    expect(await snapshotDatabase(t.db)).toEqual(before);
  });

  it(`the same ${CONFIG_CASES.length} butler.toml files, and unreadable ones, fail \`contacts sync --config\` with exit 2 and one line`, async () => {
    const { before } = await seeded();
    const files: { name: string; path: string; names: RegExp[] }[] = [];
    for (const [i, c] of CONFIG_CASES.entries()) {
      const path = join(dir, `case-${i}.toml`);
      await writeFile(path, c.file);
      files.push({
        name: c.name,
        path,
        names: [...c.keys.map((k) => new RegExp(k.replace(/\./g, '\\.'))), c.expects],
      });
    }
    const extra: [string, string | null, RegExp[]][] = [
      ['missing file', null, [/Cannot read the --config file .*missing\.toml: no such file/]],
      [
        'invalid TOML',
        '[modules.contacts\nprovider = "google"\n',
        [/is not valid TOML at line 1, column \d+/],
      ],
      [
        'integer overflow',
        toml(google, 'interval_minutes = 99999999999999999999'),
        [/is not valid TOML at line 4, column \d+: integer value cannot be represented losslessly/],
      ],
      ['no table', '[modules.calendar]\nprovider = "google"\n', [/has no \[modules\.contacts\] table/]],
      ['empty file', '', [/has no \[modules\.contacts\] table/]],
      ['modules a number', 'modules = 5\n', [/modules must be a table \(got a number\)/]],
    ];
    for (const [name, text, names] of extra) {
      const path = join(dir, `${name.replace(/\W+/g, '-')}.toml`);
      if (text === null) files.push({ name, path: join(dir, 'missing.toml'), names });
      else {
        await writeFile(path, text);
        files.push({ name, path, names });
      }
    }
    const directory = join(dir, 'a-directory.toml');
    await mkdir(directory, { recursive: true });
    files.push({
      name: 'a directory',
      path: directory,
      names: [/Cannot read the --config file .*: it is a directory/],
    });

    for (const f of files) {
      const result = await runCli(['sync', '--config', f.path, '--butler-schema', t.butlerSchema], {
        db: t.db,
      });
      report(`contacts sync --config (${f.name})`, result.stderr);
      expect.soft(result.code, f.name).toBe(2);
      expect.soft(result.stdout, f.name).toBe('');
      expect.soft(result.stderr, f.name).toMatch(/^contacts: /);
      expect.soft(result.stderr.trim().split('\n'), `${f.name}: one line`).toHaveLength(1);
      for (const pattern of f.names) expect.soft(result.stderr, f.name).toMatch(pattern);
    }
    expect(await snapshotDatabase(t.db)).toEqual(before);
  });

  it('invalid flags and values of the contacts command exit 2 naming them, and write nothing (database or disk)', async () => {
    const { before } = await seeded();
    const cases: { argv: string[]; env?: Record<string, string>; names: RegExp; notShown?: string }[] = [
      { argv: ['sync', '--bogus'], names: /unknown option '--bogus'/ },
      { argv: ['--bogus', 'status'], names: /unknown option '--bogus'/ },
      { argv: ['sync', 'extra'], names: /too many arguments for 'sync'/ },
      { argv: ['frobnicate'], names: /unknown command 'frobnicate'/ },
      {
        argv: ['status', '--butler-schema', 'Bad-Name'],
        names: /--butler-schema: Invalid butler schema name "Bad-Name"/,
      },
      { argv: ['status', '--butler-schema', ''], names: /--butler-schema: .*non-empty/ },
      {
        argv: ['sync', '--butler-schema', 'x"; drop schema shared cascade; --'],
        names: /--butler-schema: Invalid/,
      },
      { argv: ['migrate', '--butler-schema', 'a'.repeat(64)], names: /--butler-schema: .*63 characters/ },
      // Issue 11: migrate put the tables in public, then every other command failed in drizzle.
      {
        argv: ['migrate', '--butler-schema', 'public'],
        names: /--butler-schema: .*"public" is the database's default schema/,
      },
      { argv: ['status', '--butler-schema', 'public'], names: /--butler-schema: .*"public"/ },
      {
        argv: ['sync', '--google-root-url', 'not a url'],
        names: /--google-root-url must be a http:\/\/ or https:\/\/ URL/,
      },
      { argv: ['sync', '--google-token-url', 'ftp://x.example/token'], names: /--google-token-url must be/ },
      {
        argv: ['sync', '--google-root-url', ''],
        names: /--google-root-url must be a URL, not an empty string/,
      },
      {
        argv: ['sync'],
        env: { CONTACTS_GOOGLE_ROOT_URL: 'garbage' },
        names: /\$CONTACTS_GOOGLE_ROOT_URL must be/,
      },
      // Issue 11: the token URL receives the client secret and the refresh token.
      {
        argv: ['sync'],
        env: { CONTACTS_GOOGLE_TOKEN_URL: 'http://user:pw-tok3n@token.example/token?k=q-tok3n' },
        names:
          /^contacts: \$CONTACTS_GOOGLE_TOKEN_URL must be https:\/\/ \(plain http:\/\/ only for a loopback host.*client secret and refresh token\./,
        notShown: 'tok3n',
      },
      {
        argv: ['sync', '--google-root-url', 'http://people.example/'],
        names: /^contacts: --google-root-url must be https:\/\/ .*it receives the access token\./,
        notShown: 'people.example',
      },
      {
        argv: ['status', '--database-url', 'mysql://ada:hunter2-pw@db.example/crm'],
        names: /--database-url must be a postgres:\/\/ or postgresql:\/\/ URL/,
        notShown: 'hunter2-pw',
      },
      {
        argv: ['status'],
        env: { CONTACTS_DATABASE_URL: 'not a url with pw-s3cret' },
        names: /\$CONTACTS_DATABASE_URL must be/,
        notShown: 'pw-s3cret',
      },
      { argv: ['status', '--database-url', ''], names: /--database-url must be a URL, not an empty string/ },
      { argv: ['status', '--data-dir', ''], names: /--data-dir must name a directory/ },
      { argv: ['status', '--config', ''], names: /--config must name a butler\.toml file/ },
      { argv: ['secrets', 'set'], names: /missing required argument 'key'/ },
      {
        argv: ['secrets', 'set', 'GOOGLE_REFRESH_TOKEN', 'some-value', '--expires-at', 'tomorrow'],
        names: /--expires-at must be an ISO 8601 date/,
      },
      {
        argv: ['secrets', 'set', 'GOOGLE_REFRESH_TOKEN', 'v', '--expires-at', ''],
        names: /--expires-at must be/,
      },
      { argv: ['secrets', 'set', 'bad key', 'value'], names: /A secret key is 1 to 200 letters/ },
      {
        argv: ['secrets', 'set', 'GOOGLE_REFRESH_TOKEN', ''],
        names: /The value for GOOGLE_REFRESH_TOKEN is empty/,
      },
    ];
    for (const c of cases) {
      const label = c.argv.join(' ') || '(none)';
      // With the test database: exit 2, one clear line, and not a row changed.
      const withDb = await runCli([...c.argv], { db: t.db, env: c.env ?? {} });
      report(`contacts ${label}`, withDb.stderr);
      expect.soft(withDb.code, label).toBe(2);
      expect.soft(withDb.stderr, label).toMatch(c.names);
      expect.soft(withDb.stdout, label).toBe('');
      if (c.notShown) expect.soft(withDb.stderr, label).not.toContain(c.notShown);
      // Without one, in an empty directory: no embedded database may be created there.
      const cwd = await mkdtemp(join(dir, 'cwd-'));
      const alone = await runCli([...c.argv], { cwd, env: c.env ?? {} });
      expect.soft(alone.code, `${label} (no database)`).toBe(2);
      expect.soft(await readdir(cwd), `${label}: nothing written to disk`).toEqual([]);
    }
    expect(await snapshotDatabase(t.db)).toEqual(before);
  });

  it(`every invalid argument of the four MCP tools (${TOOL_CASES.length + NOT_OBJECTS.length * TOOLS.length} cases) is refused, naming it; nothing changes, no sync starts`, async () => {
    const h = await startModuleHarness(t.db, t.butlerSchema, {
      config: { provider: 'google', sync: { run_on_startup: false } },
      seed: false,
    });
    await seedCredentials(h.store, FAKE_CREDENTIALS);
    await h.start();
    expect((await h.call('contacts_sync_now')).isError).toBeFalsy();
    const before = await snapshotDatabase(t.db);
    const pageCalls = () => h.providers.reduce((n, p) => n + p.calls.length, 0);
    const calls = pageCalls();
    const nextDelay = h.timers.nextDelay();
    const lastResult = h.module.runtime?.status().lastResult;
    const unchanged = async (label: string) => {
      expect.soft(pageCalls(), `${label}: no page fetched`).toBe(calls);
      expect.soft(h.timers.nextDelay(), `${label}: no sync queued`).toBe(nextDelay);
      expect.soft(h.module.runtime?.status(), label).toMatchObject({ state: 'idle', running: false });
      expect.soft(h.module.runtime?.status().lastResult, label).toBe(lastResult);
      expect.soft(await snapshotDatabase(t.db), `${label}: database unchanged`).toEqual(before);
    };

    for (const c of TOOL_CASES) {
      const label = `${c.tool} ${JSON.stringify(c.args).slice(0, 80)}`;
      const result = await h.client.callTool({ name: c.tool, arguments: c.args as Record<string, unknown> });
      report(label, resultText(result as never));
      // What a client really sees: an error result whose text names the argument.
      expect.soft(result.isError, label).toBe(true);
      expect.soft(resultText(result as never), label).toMatch(/^MCP error -32602: Input validation error: /);
      expect.soft(resultText(result as never), label).toMatch(c.names);
      expect.soft(result.structuredContent, label).toBeUndefined();
      await unchanged(label);
    }
    // Not an object at all: the SDK's request validation refuses the call as a protocol error
    // (JSON-RPC -32603, its choice), naming `arguments`; no tool code runs.
    for (const tool of TOOLS) {
      for (const args of NOT_OBJECTS) {
        const label = `${tool} arguments=${JSON.stringify(args)}`;
        const error = await h.client.callTool({ name: tool, arguments: args as never }).then(
          () => null,
          (e: unknown) => e,
        );
        expect.soft(error, label).toBeInstanceOf(McpError);
        expect.soft((error as McpError | null)?.message, label).toMatch(/"arguments"[\s\S]*expected record/);
        await unchanged(label);
      }
    }
    // A well-formed id of no contact: the tool itself refuses it (issue 11: it said the sync
    // "includes" that contact).
    const missing = await h.call('contacts_source_reconcile', { contact_id: UUID });
    report(`contacts_source_reconcile ${UUID} (no such contact)`, resultText(missing));
    expect.soft(missing.isError).toBe(true);
    expect.soft(resultText(missing)).toMatch(/^No CRM contact has the id c0ffee00-.*: nothing was queued/);
    await unchanged('contacts_source_reconcile of a missing contact');
    // The tools still work, and the valid forms of each argument are accepted.
    expect((await h.call('contacts_sync_status', { provider: 'google' })).isError).toBeFalsy();
    const [someone] = await queryRows<{ id: string }>(t.db, sql`select id from shared.contacts limit 1`);
    expect((await h.call('contacts_source_reconcile', { contact_id: someone!.id })).isError).toBeFalsy();
    await h.close();
  });
});
