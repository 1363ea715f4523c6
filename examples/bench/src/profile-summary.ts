/**
 * Where a phase's time went: the self time of a V8 CPU profile (`.cpuprofile`, as
 * `Profiler.stop` returns it) attributed to buckets by the script each sampled function lives in.
 * Built-ins without a script of their own (`JSON.parse`, `TextDecoder`, a `Map` operation) count
 * for the nearest caller that has one: `JSON.parse` called by gaxios is the provider's time.
 */
import { z } from 'zod';
import { formatCount } from './format-numbers.js';
import { renderTable } from './text-table.js';

/** The buckets, in the order a summary lists them. */
export const PROFILE_BUCKETS = [
  'database',
  'engine',
  'provider',
  'zod',
  'bench',
  'node',
  'other',
  'gc',
  'program',
  'idle',
] as const;
export type ProfileBucket = (typeof PROFILE_BUCKETS)[number];

/** What each bucket holds, for the summary's legend. */
export const BUCKET_MEANING: Record<ProfileBucket, string> = {
  database: 'drivers and PGlite (its WASM included): drizzle-orm, postgres.js, @contacts/schema',
  engine: 'packages/core: the cycle, the backfill engine, the resolver, JSON for the page parameters',
  provider: 'the provider: HTTP client (gaxios, undici), decoding, mapping to canonical contacts',
  zod: 'zod validation, wherever it is called from',
  bench: 'the benchmark itself (RSS sampler, statement counter, timed provider)',
  node: 'Node internals (streams, sockets, timers) not attributed to a caller above',
  other: 'anything else (tsx loader, unknown scripts)',
  gc: 'garbage collection',
  program: 'V8 outside JavaScript (compilation, native code without a frame)',
  idle: 'waiting: for the emulator, the PostgreSQL server, a timer',
};

const CallFrame = z.object({
  functionName: z.string(),
  url: z.string(),
  lineNumber: z.number().optional(),
  columnNumber: z.number().optional(),
});

/** The part of a V8 CPU profile the summary reads. */
export const CpuProfile = z.object({
  nodes: z.array(
    z.object({
      id: z.number().int(),
      callFrame: CallFrame,
      children: z.array(z.number().int()).optional(),
    }),
  ),
  startTime: z.number(),
  endTime: z.number(),
  samples: z.array(z.number().int()),
  timeDeltas: z.array(z.number()),
});
export type CpuProfile = z.infer<typeof CpuProfile>;

// First match wins: zod before anything that calls it, the driver's files before `node:`.
const URL_BUCKETS: readonly [RegExp, ProfileBucket][] = [
  [
    /^wasm:\/\/|\/@electric-sql\/pglite\/|\/drizzle-orm\/|\/node_modules\/postgres\/|\/packages\/schema\//,
    'database',
  ],
  [/\/node_modules\/zod\//, 'zod'],
  [/\/packages\/core\//, 'engine'],
  [
    /\/packages\/provider-[^/]+\/|\/@googleapis\/|\/googleapis[^/]*\/|\/gaxios\/|\/google-auth-library\/|\/gtoken\/|\/gcp-metadata\/|\/undici\/|^node:internal\/deps\/undici/,
    'provider',
  ],
  [/\/examples\/bench\//, 'bench'],
  [/^node:/, 'node'],
];

const SPECIAL: Record<string, ProfileBucket> = {
  '(garbage collector)': 'gc',
  '(idle)': 'idle',
  '(program)': 'program',
};

/**
 * The bucket of one call frame, or `undefined` for a frame with no script (a built-in): its time
 * goes to its caller's bucket.
 *
 * @example
 * ```ts
 * bucketOf({ functionName: 'parse', url: '' }); // undefined
 * bucketOf({ functionName: 'apply', url: 'file:///repo/packages/core/src/backfill/engine.ts' }); // 'engine'
 * ```
 */
export function bucketOf(frame: { functionName: string; url: string }): ProfileBucket | undefined {
  const special = SPECIAL[frame.functionName];
  if (special && frame.url === '') return special;
  if (frame.url === '') return undefined;
  const url = frame.url.replaceAll('\\', '/');
  for (const [pattern, bucket] of URL_BUCKETS) if (pattern.test(url)) return bucket;
  return 'other';
}

/** One function's self time, for the top list. */
export interface HotFunction {
  functionName: string;
  url: string;
  bucket: ProfileBucket;
  selfMs: number;
}

/** A profile's self time by bucket, and its hottest functions. */
export interface ProfileSummary {
  totalMs: number;
  buckets: Record<ProfileBucket, number>;
  top: HotFunction[];
}

/**
 * Attributes the self time of every sample to a bucket. A sample lasts until the next one (the
 * last one until the profile's end), as DevTools counts it.
 *
 * @example
 * ```ts
 * const summary = summarizeProfile(CpuProfile.parse(JSON.parse(text)));
 * summary.buckets.database / summary.totalMs; // PGlite's share of the phase
 * ```
 */
export function summarizeProfile(profile: CpuProfile, options: { top?: number } = {}): ProfileSummary {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const bucketMemo = new Map<number, ProfileBucket>();
  const bucketOfNode = (id: number): ProfileBucket => {
    const known = bucketMemo.get(id);
    if (known) return known;
    const path: number[] = [];
    let at: number | undefined = id;
    let found: ProfileBucket | undefined;
    while (at !== undefined && !found) {
      const node = byId.get(at);
      if (!node) break;
      path.push(at);
      found = bucketMemo.get(at) ?? bucketOf(node.callFrame);
      at = parent.get(at);
    }
    const bucket = found ?? 'other';
    for (const p of path) bucketMemo.set(p, bucket);
    return bucket;
  };

  const selfUs = new Map<number, number>();
  const { samples, timeDeltas } = profile;
  let clock = profile.startTime;
  const stamps = timeDeltas.map((d) => {
    clock += d;
    return clock;
  });
  for (let i = 0; i < samples.length; i += 1) {
    const next = i + 1 < stamps.length ? stamps[i + 1]! : profile.endTime;
    const duration = Math.max(0, next - (stamps[i] ?? profile.startTime));
    const id = samples[i]!;
    selfUs.set(id, (selfUs.get(id) ?? 0) + duration);
  }

  const buckets = Object.fromEntries(PROFILE_BUCKETS.map((b) => [b, 0])) as Record<ProfileBucket, number>;
  // Functions are merged by name and script across the call tree (one entry for JSON.parse).
  const functions = new Map<string, HotFunction>();
  let totalUs = 0;
  for (const [id, us] of selfUs) {
    const node = byId.get(id);
    if (!node) continue;
    const bucket = bucketOfNode(id);
    buckets[bucket] += us / 1000;
    totalUs += us;
    const { functionName, url } = node.callFrame;
    const key = `${functionName}\u0000${url}\u0000${bucket}`;
    const entry = functions.get(key) ?? {
      functionName: functionName || '(anonymous)',
      url,
      bucket,
      selfMs: 0,
    };
    entry.selfMs += us / 1000;
    functions.set(key, entry);
  }
  const top = [...functions.values()].sort((a, b) => b.selfMs - a.selfMs).slice(0, options.top ?? 12);
  return { totalMs: totalUs / 1000, buckets, top };
}

function ms(value: number): string {
  return formatCount(Math.round(value));
}

function percent(part: number, whole: number): string {
  return whole > 0 ? `${Math.round((part / whole) * 100)}%` : '–';
}

/** A script's path from the repository or `node_modules` on, for the top list. */
function shortUrl(url: string): string {
  const cut = url.replaceAll('\\', '/');
  const modules = cut.lastIndexOf('/node_modules/');
  if (modules >= 0) return cut.slice(modules + '/node_modules/'.length);
  const repo = cut.search(/\/(packages|examples)\//);
  return repo >= 0 ? cut.slice(repo + 1) : cut || '(native)';
}

/**
 * A table of the phases' buckets (ms and share of the phase), one column per phase, then each
 * phase's hottest functions.
 *
 * @example
 * ```ts
 * console.log(formatProfileSummaries([{ name: 'full-initial', summary }]));
 * ```
 */
export function formatProfileSummaries(
  phases: readonly { name: string; summary: ProfileSummary }[],
  options: { top?: number } = {},
): string {
  const columns = [{ header: 'bucket' }, ...phases.map((p) => ({ header: p.name, align: 'right' as const }))];
  const rows = PROFILE_BUCKETS.map((b) => [
    b,
    ...phases.map(
      (p) => `${ms(p.summary.buckets[b])} ms ${percent(p.summary.buckets[b], p.summary.totalMs)}`,
    ),
  ]);
  rows.push(['total', ...phases.map((p) => `${ms(p.summary.totalMs)} ms`)]);
  const parts = [renderTable(columns, rows)];
  const top = options.top ?? 8;
  for (const p of phases) {
    parts.push(
      `\n${p.name}: hottest functions (self time)\n` +
        renderTable(
          [
            { header: 'ms', align: 'right' },
            { header: 'bucket' },
            { header: 'function' },
            { header: 'script' },
          ],
          p.summary.top.slice(0, top).map((f) => [ms(f.selfMs), f.bucket, f.functionName, shortUrl(f.url)]),
        ),
    );
  }
  return parts.join('\n');
}
