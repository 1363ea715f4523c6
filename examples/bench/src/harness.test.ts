import { describe, expect, it } from 'vitest';
import { runBenchmark } from './benchmark.js';
import { parseCommand, UsageError } from './cli-options.js';
import { compareResults } from './compare-results.js';
import { formatResults } from './format-results.js';
import { ResultsFile } from './results-file.js';
import { SCENARIOS } from './run-types.js';

// The quick path in-process on a small book: the harness must keep working (CI runs
// `pnpm bench --quick` too). Only shapes and correctness checks are asserted, never a timing.
describe('pnpm bench harness', () => {
  it('measures every scenario and the ceiling of 200 people on PGlite, with passing sanity checks', async () => {
    const lines: string[] = [];
    const results = await runBenchmark({
      sizes: [200],
      runs: 1,
      drivers: ['pglite'],
      seed: 3,
      quick: true,
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
    expect(c.scenarios['full-unchanged'].summary.skipped).toBe(200);
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
    expect(parse('--quick')).toMatchObject({ kind: 'run', sizes: [1000], runs: 1, drivers: ['pglite'] });
    expect(
      parseCommand(['--quick'], { CONTACTS_BENCH_DATABASE_URL: 'postgres://x@h/db' }, '/'),
    ).toMatchObject({
      drivers: ['pglite', 'postgres'],
    });
    expect(parse('--compare', 'old.json', '--to', 'new.json')).toEqual({
      kind: 'compare',
      old: '/repo/old.json',
      current: '/repo/new.json',
    });
  });
});
