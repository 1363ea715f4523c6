import { describe, expect, it } from 'vitest';
import { bucketOf, type CpuProfile, formatProfileSummaries, summarizeProfile } from './profile-summary.js';

const repo = 'file:///work/repo';
const frame = (functionName: string, url = '') => ({ functionName, url, lineNumber: 0, columnNumber: 0 });

// (root) -> runSyncCycle (core) -> applyBatchIn (core) -> JSON.parse (native) ; -> execute (pglite wasm)
//        -> fetchPage (gaxios) -> parse (native) ; -> safeParse (zod) ; (garbage collector) ; (idle)
const profile: CpuProfile = {
  nodes: [
    { id: 1, callFrame: frame('(root)'), children: [2, 6, 9, 10, 11] },
    {
      id: 2,
      callFrame: frame('runSyncCycle', `${repo}/packages/core/src/sync/sync-cycle.ts`),
      children: [3, 5],
    },
    {
      id: 3,
      callFrame: frame('applyBatchIn', `${repo}/packages/core/src/backfill/engine.ts`),
      children: [4],
    },
    { id: 4, callFrame: frame('parse'), children: [] },
    { id: 5, callFrame: frame('$func123', 'wasm://wasm/0123abcd'), children: [] },
    {
      id: 6,
      callFrame: frame(
        'fetchPage',
        `${repo}/node_modules/.pnpm/gaxios@7.1.3/node_modules/gaxios/build/src/gaxios.js`,
      ),
      children: [7, 8],
    },
    { id: 7, callFrame: frame('parse'), children: [] },
    {
      id: 8,
      callFrame: frame('safeParse', `${repo}/node_modules/.pnpm/zod@4.6.7/node_modules/zod/v4/core/parse.js`),
    },
    { id: 9, callFrame: frame('(garbage collector)'), children: [] },
    { id: 10, callFrame: frame('(idle)'), children: [] },
    { id: 11, callFrame: frame('(program)'), children: [] },
  ],
  startTime: 1_000_000,
  // Samples 1 ms apart (timeDeltas in microseconds); the last one lasts until endTime.
  samples: [3, 4, 4, 5, 5, 5, 7, 7, 8, 9, 10, 10, 11],
  timeDeltas: [0, 1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000],
  endTime: 1_000_000 + 13_000,
};

describe('CPU profile summary', () => {
  it('puts a frame in the bucket of its script, and a built-in nowhere of its own', () => {
    expect(bucketOf(frame('parse'))).toBeUndefined();
    expect(bucketOf(frame('(garbage collector)'))).toBe('gc');
    expect(bucketOf(frame('x', 'wasm://wasm/00aa'))).toBe('database');
    expect(
      bucketOf(
        frame('q', `${repo}/node_modules/.pnpm/postgres@3.4.9/node_modules/postgres/src/connection.js`),
      ),
    ).toBe('database');
    expect(
      bucketOf(
        frame(
          'q',
          `${repo}/node_modules/.pnpm/@electric-sql+pglite@0.5.16/node_modules/@electric-sql/pglite/dist/index.js`,
        ),
      ),
    ).toBe('database');
    expect(bucketOf(frame('q', `${repo}/packages/schema/src/query-rows.ts`))).toBe('database');
    expect(bucketOf(frame('normalizePerson', `${repo}/packages/provider-google/src/person.ts`))).toBe(
      'provider',
    );
    expect(bucketOf(frame('onData', 'node:internal/deps/undici/undici'))).toBe('provider');
    expect(bucketOf(frame('emit', 'node:events'))).toBe('node');
    expect(bucketOf(frame('sample', `${repo}/examples/bench/src/rss-sampler.ts`))).toBe('bench');
    expect(bucketOf(frame('load', `${repo}/node_modules/tsx/dist/loader.mjs`))).toBe('other');
  });

  it('attributes self time to buckets, a built-in to its caller, and lists the hottest functions', () => {
    const summary = summarizeProfile(profile);
    expect(summary.totalMs).toBe(13);
    expect(summary.buckets).toEqual({
      // applyBatchIn 1 ms + JSON.parse under it 2 ms
      engine: 3,
      // WASM
      database: 3,
      // JSON.parse under gaxios
      provider: 2,
      zod: 1,
      gc: 1,
      idle: 2,
      program: 1,
      bench: 0,
      node: 0,
      other: 0,
    });
    expect(summary.top[0]).toMatchObject({ functionName: '$func123', bucket: 'database', selfMs: 3 });
    // JSON.parse is listed once per bucket it was called from.
    expect(summary.top.filter((f) => f.functionName === 'parse').map((f) => [f.bucket, f.selfMs])).toEqual(
      expect.arrayContaining([
        ['engine', 2],
        ['provider', 2],
      ]),
    );
  });

  it('formats a table with a column per phase and the shares of each', () => {
    const text = formatProfileSummaries([{ name: 'full-initial', summary: summarizeProfile(profile) }]);
    expect(text).toMatch(/database\s+3 ms 23%/);
    expect(text).toMatch(/total\s+13 ms/);
    expect(text).toContain('full-initial: hottest functions');
    expect(text).toMatch(/provider\s+parse\s+\(native\)/);
    expect(text).toContain('zod/v4/core/parse.js');
  });
});
