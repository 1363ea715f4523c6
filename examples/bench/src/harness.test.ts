import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeOnDavServer } from '@contacts/provider-carddav/testing';
import { describe, expect, it } from 'vitest';
import { runBenchmark } from './benchmark.js';
import { CARDDAV_SCENARIOS } from './carddav/carddav-types.js';
import { parseCommand, UsageError } from './cli-options.js';
import { compareResults } from './compare-results.js';
import { formatResults } from './format-results.js';
import { summarizeProfileDirectory } from './profile-directory.js';
import { ResultsFile } from './results-file.js';
import { SCENARIOS } from './run-types.js';

// The quick path in-process on a small book: the harness must keep working (CI runs
// `pnpm bench --quick` too). Only shapes and correctness checks are asserted, never a timing.
describe('pnpm bench harness', () => {
  it('measures every scenario and the ceiling of 200 people on PGlite, with passing sanity checks', async () => {
    const lines: string[] = [];
    const profiles = await mkdtemp(join(tmpdir(), 'bench-profiles-'));
    const results = await runBenchmark({
      cpuProfDir: profiles,
      sizes: [200],
      runs: 1,
      drivers: ['pglite'],
      seed: 3,
      quick: true,
      carddavCards: 0,
      inProcess: true,
      progress: (line) => lines.push(line),
    });
    // What is written is what --compare reads back.
    const reread = ResultsFile.parse(JSON.parse(JSON.stringify(results)));
    expect(reread.errors).toEqual([]);
    expect(reread.ok).toBe(true);
    expect(reread.cases).toHaveLength(1);
    const [c] = reread.cases;
    if (!c) throw new Error('no case');
    expect(c).toMatchObject({ driver: 'pglite', size: 200, runs: 1, bookPeople: 200 });
    expect(c.checks.failed).toEqual([]);
    expect(c.checks.passed).toBeGreaterThan(20);

    const first = c.scenarios['full-initial'];
    expect(first.summary.fetched).toBe(200);
    expect(first.summary.applied + first.summary.failed).toBe(200);
    expect(first.httpRequests).toBeGreaterThan(0);
    expect(first.statements).toBeGreaterThan(0);
    expect(first.fractionOfCeiling).toBeGreaterThan(0);
    // The Google provider asks the engine's versions: every person comes back unchanged, none is sent.
    expect(c.scenarios['full-unchanged'].summary).toMatchObject({ fetched: 0, skipped: 0, unchanged: 200 });
    expect(c.scenarios['full-unchanged'].contacts).toBe(200);
    const { edited, deleted, added } = c.changes;
    expect(c.scenarios['incremental-changed'].summary.fetched).toBe(edited + deleted + added);
    expect(c.scenarios['incremental-quiet'].summary.fetched).toBe(0);
    expect(c.scenarios['incremental-quiet'].contactsPerSecond).toBeNull();
    expect(c.ceiling.contacts).toBe(first.summary.created);
    expect(c.ceiling.totalRows).toBeGreaterThan(c.ceiling.contacts);
    expect(c.ceiling.statements).toBeGreaterThan(0);
    expect(c.scenarios['incremental-quiet'].httpRequests).toBe(1);
    expect(c.fetchFloor).toMatchObject({ contacts: 200 - deleted + added, pages: 1 });
    expect(c.fetchFloor?.firstSyncOverLimit).toBeGreaterThan(0);
    // CPU by process; the emulator runs in this process here (no child), so it is not split out.
    expect(c.cpu?.firstSync.clientMs).toBeGreaterThan(0);
    expect(c.cpu?.firstSync).toMatchObject({ serverMs: null, emulatorMs: null });
    expect(c.cpu?.ceiling.clientMs).toBeGreaterThan(0);

    const table = formatResults(reread);
    for (const label of [
      'full sync, empty CRM',
      'incremental, quiet poll',
      'ceiling: set-based insert',
      'fetch floor: provider alone',
    ]) {
      expect(table).toContain(label);
    }
    const comparison = compareResults(reread, reread);
    expect(comparison).toContain('+0.0%');
    expect(lines.some((l) => l.includes('first full sync'))).toBe(true);
    expect(Object.keys(c.scenarios)).toEqual([...SCENARIOS]);

    // --cpu-prof: one profile per phase, and a summary of the folder.
    expect((await readdir(profiles)).sort()).toEqual(
      [...SCENARIOS, 'ceiling', 'fetch-floor'].map((p) => `pglite-200-run1-${p}.cpuprofile`).sort(),
    );
    const summary = await summarizeProfileDirectory(profiles);
    expect(summary).toContain('## pglite-200-run1');
    expect(summary).toMatch(
      /bucket\s+full-initial\s+full-unchanged\s+incremental-changed\s+incremental-quiet\s+fetch-floor\s+ceiling/,
    );
    await rm(profiles, { recursive: true, force: true });
  });

  it('refuses bad flags with a message naming the flag', () => {
    const parse = (...argv: string[]) => parseCommand(argv, {}, '/repo');
    expect(() => parse('--sizes', '1000,lots')).toThrow(/--sizes/);
    expect(() => parse('--runs', '0')).toThrow(/--runs/);
    expect(() => parse('--drivers', 'mysql')).toThrow(/unknown driver mysql/);
    expect(() => parse('--drivers', 'postgres')).toThrow(/CONTACTS_BENCH_DATABASE_URL/);
    expect(() => parse('--quick', '--sizes', '5000')).toThrow(UsageError);
    expect(() => parse('--frobnicate')).toThrow(UsageError);
    expect(() => parse('--to', 'new.json')).toThrow(/--compare/);
    expect(parse('--quick')).toMatchObject({
      kind: 'run',
      sizes: [1000],
      runs: 1,
      drivers: ['pglite'],
      google: true,
      carddavCards: 200,
      carddavRuns: 1,
    });
    expect(parse('--sources', 'carddav', '--carddav-cards', '5000')).toMatchObject({
      google: false,
      carddavCards: 5000,
    });
    expect(parse('--sources', 'google')).toMatchObject({ google: true, carddavCards: 0 });
    expect(() => parse('--sources', 'ldap')).toThrow(/--sources: unknown ldap/);
    expect(() => parse('--quick', '--carddav-cards', '10')).toThrow(UsageError);
    expect(
      parseCommand(['--quick'], { CONTACTS_BENCH_DATABASE_URL: 'postgres://x@h/db' }, '/'),
    ).toMatchObject({
      drivers: ['pglite', 'postgres'],
    });
    expect(() => parse('--fleet')).toThrow(/--fleet runs on PostgreSQL: set CONTACTS_BENCH_DATABASE_URL/);
    const withPostgres = { CONTACTS_BENCH_DATABASE_URL: 'postgres://x@h/db' };
    expect(parseCommand(['--fleet-quick', '--seed', '3'], withPostgres, '/repo')).toMatchObject({
      kind: 'fleet',
      quick: true,
      seed: 3,
      postgresUrl: 'postgres://x@h/db',
    });
    expect(() => parseCommand(['--fleet', '--sizes', '1000'], withPostgres, '/repo')).toThrow(/drop --sizes/);
    expect(() => parseCommand(['--fleet', '--fleet-quick'], withPostgres, '/repo')).toThrow(/not both/);
    expect(parseCommand(['--fleet', '--fleet-accounts', '200'], withPostgres, '/repo')).toMatchObject({
      quick: false,
      accounts: 200,
    });
    expect(parse('--compare', 'old.json', '--to', 'new.json')).toEqual({
      kind: 'compare',
      old: '/repo/old.json',
      current: '/repo/new.json',
    });
  });
});

// The CardDAV path in-process on a small Radicale book: Radicale started and stopped by the
// harness, the module syncing through the counting proxy. Counts only, never a timing.
describeOnDavServer('radicale', 'pnpm bench CardDAV scenarios', () => {
  it('syncs a book of 40 cards through the module in every scenario, with passing checks and counted requests', async () => {
    const results = await runBenchmark({
      sizes: [],
      runs: 1,
      drivers: ['pglite'],
      seed: 1,
      quick: true,
      google: false,
      carddavCards: 40,
      inProcess: true,
      progress: () => {},
    });
    const reread = ResultsFile.parse(JSON.parse(JSON.stringify(results)));
    expect(reread.errors).toEqual([]);
    expect(reread.ok).toBe(true);
    expect(reread.carddavSkipped).toBeNull();
    const [c] = reread.carddav ?? [];
    if (!c) throw new Error('no CardDAV case');
    expect(c).toMatchObject({ driver: 'pglite', cards: 40, edited: 1 });
    expect(c.checks.failed).toEqual([]);
    expect(Object.keys(c.scenarios)).toEqual([...CARDDAV_SCENARIOS]);
    expect(c.scenarios['full-initial'].summary).toMatchObject({ fetched: 40, created: 40, failed: 0 });
    expect(c.scenarios['full-initial'].httpRequestsByMethod.REPORT).toBeGreaterThan(0);
    expect(c.scenarios['incremental-changed'].summary).toMatchObject({ fetched: 1, updated: 1 });
    expect(c.scenarios['incremental-quiet'].httpRequests).toBe(1);
    expect(formatResults(reread)).toContain('incremental, quiet poll');
    expect(compareResults(reread, reread)).toContain('CardDAV:');
    // A deadline, not a timing assertion: Radicale parses the book once and five syncs follow.
  }, 300_000);
});
