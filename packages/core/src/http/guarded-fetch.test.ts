import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { CoreError } from '../errors.js';
import { createGuardedFetch, type FetchLike } from './guarded-fetch.js';
import { findHttpGuardError, HttpGuardError } from './http-guard-error.js';

/** A body the test controls: chunks pushed by hand, or `chunkBytes` served on every pull. */
function source(chunkBytes = 0) {
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  const state = { served: 0, cancelled: null as unknown };
  const stream = new ReadableStream<Uint8Array>(
    {
      start(c) {
        controller = c;
      },
      pull(c) {
        if (chunkBytes === 0) return;
        state.served += chunkBytes;
        c.enqueue(new Uint8Array(chunkBytes).fill(32));
      },
      cancel(reason) {
        state.cancelled = reason ?? 'cancelled';
      },
      // No read-ahead of its own, so what it served is what the guard asked for.
    },
    { highWaterMark: 0 },
  );
  return {
    stream,
    state,
    push: (bytes: number) => {
      state.served += bytes;
      controller.enqueue(new Uint8Array(bytes).fill(32));
    },
    close: () => controller.close(),
  };
}

/** A fetch that answers `respond()`'s response (never, when it returns a pending promise) and ignores aborts. */
function fakeFetch(respond: () => Promise<Response>) {
  const calls: { signal: AbortSignal }[] = [];
  const fetch: FetchLike = (_input, init) => {
    calls.push({ signal: init?.signal as AbortSignal });
    return respond();
  };
  return { fetch, calls };
}

const never = () => new Promise<Response>(() => {});

async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (error: unknown) => error,
  );
}

describe('createGuardedFetch (fake timers)', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('ends a request whose headers never come at the deadline, even when the inner fetch ignores the abort', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const { fetch, calls } = fakeFetch(never);
    const guarded = createGuardedFetch({ timeoutMs: 60_000, maxResponseBytes: 1000, fetch });
    const outcome = rejectionOf(
      guarded('https://source.example/page', { signal: new AbortController().signal }),
    );
    await vi.advanceTimersByTimeAsync(59_999);
    expect(calls[0]?.signal.aborted).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    const error = await outcome;
    expect(error).toBeInstanceOf(HttpGuardError);
    expect(error).toMatchObject({ code: 'DEADLINE_EXCEEDED', limit: 60_000, receivedBytes: 0 });
    expect((error as Error).message).toBe(
      'The HTTP exchange did not complete within 60000 ms (no response headers had arrived).',
    );
    // The connection is closed, not left to undici's own 300 s timeouts.
    expect(calls[0]?.signal.aborted).toBe(true);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('holds the deadline for the whole body: a byte every second does not restart it', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const body = source();
    const { fetch } = fakeFetch(async () => new Response(body.stream, { status: 200 }));
    const guarded = createGuardedFetch({ timeoutMs: 10_000, maxResponseBytes: 1_000_000, fetch });
    const res = await guarded('https://source.example/page');
    const text = rejectionOf(res.text());
    for (let second = 1; second <= 9; second += 1) {
      body.push(1);
      await vi.advanceTimersByTimeAsync(1000);
    }
    body.push(1);
    await vi.advanceTimersByTimeAsync(1000);
    const error = await text;
    expect(error).toMatchObject({ code: 'DEADLINE_EXCEEDED', limit: 10_000, receivedBytes: 10 });
    expect((error as Error).message).toMatch(/the body was still arriving after 10 bytes/);
    expect(body.state.cancelled).toBe(error);
  });

  it('refuses a Content-Length over the cap before reading any of the body', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const body = source(1000);
    const { fetch, calls } = fakeFetch(
      async () => new Response(body.stream, { headers: { 'content-length': '200000000' } }),
    );
    const guarded = createGuardedFetch({ timeoutMs: 60_000, maxResponseBytes: 65_536, fetch });
    const error = await rejectionOf(guarded('https://source.example/page'));
    expect(error).toMatchObject({ code: 'RESPONSE_TOO_LARGE', limit: 65_536, receivedBytes: 0 });
    expect((error as Error).message).toBe(
      'The HTTP response body is larger than the 65536-byte limit (its Content-Length is 200000000 bytes).',
    );
    expect(body.state.served).toBe(0);
    expect(body.state.cancelled).toBe(error);
    expect(calls[0]?.signal.aborted).toBe(true);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('cuts an endless body off just above the cap and closes the connection', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const body = source(4096);
    const { fetch, calls } = fakeFetch(async () => new Response(body.stream));
    const guarded = createGuardedFetch({ timeoutMs: 60_000, maxResponseBytes: 65_536, fetch });
    const res = await guarded('https://source.example/page');
    const error = await rejectionOf(res.arrayBuffer());
    expect(error).toMatchObject({ code: 'RESPONSE_TOO_LARGE', limit: 65_536 });
    expect((error as HttpGuardError).receivedBytes).toBe(65_536 + 4096);
    expect((error as Error).message).toMatch(/cut off after 69632 bytes/);
    // Not one chunk more than the one that crossed the cap.
    expect(body.state.served).toBe(65_536 + 4096);
    expect(body.state.cancelled).toBe(error);
    expect(calls[0]?.signal.aborted).toBe(true);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('passes a body of exactly the cap through, with its status, headers and URL, and then stops its timer', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const body = source();
    const upstream = new Response(body.stream, {
      status: 207,
      statusText: 'Multi-Status',
      headers: { 'content-type': 'application/xml', etag: '"e1"' },
    });
    Object.defineProperty(upstream, 'url', { value: 'https://source.example/dav/' });
    const { fetch, calls } = fakeFetch(async () => upstream);
    const caller = new AbortController();
    const guarded = createGuardedFetch({ timeoutMs: 60_000, maxResponseBytes: 10, fetch });
    const res = await guarded('https://source.example/dav/', { method: 'PROPFIND', signal: caller.signal });
    body.push(6);
    body.push(4);
    body.close();
    expect((await res.arrayBuffer()).byteLength).toBe(10);
    expect(res).toMatchObject({
      status: 207,
      statusText: 'Multi-Status',
      url: 'https://source.example/dav/',
    });
    expect(res.headers.get('etag')).toBe('"e1"');
    expect(vi.getTimerCount()).toBe(0);
    // Unlinked: an abort after the exchange reaches nothing.
    caller.abort(new Error('late'));
    expect(calls[0]?.signal.aborted).toBe(false);
  });

  it("rejects with the caller's reason when the caller aborts, before or after the headers", async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const stop = new Error('host shutting down');
    const early = new AbortController();
    const waiting = fakeFetch(never);
    const pending = rejectionOf(
      createGuardedFetch({ timeoutMs: 60_000, maxResponseBytes: 10, fetch: waiting.fetch })(
        'https://a.example',
        {
          signal: early.signal,
        },
      ),
    );
    early.abort(stop);
    expect(await pending).toBe(stop);
    expect(waiting.calls[0]?.signal.aborted).toBe(true);

    const late = new AbortController();
    const body = source();
    const streaming = fakeFetch(async () => new Response(body.stream));
    const res = await createGuardedFetch({ timeoutMs: 60_000, maxResponseBytes: 10, fetch: streaming.fetch })(
      'https://a.example',
      { signal: late.signal },
    );
    const text = rejectionOf(res.text());
    body.push(1);
    late.abort(stop);
    expect(await text).toBe(stop);

    const already = AbortSignal.abort(stop);
    const untouched = fakeFetch(never);
    expect(
      await rejectionOf(
        createGuardedFetch({ timeoutMs: 60_000, maxResponseBytes: 10, fetch: untouched.fetch })(
          'https://a.example',
          {
            signal: already,
          },
        ),
      ),
    ).toBe(stop);
    expect(untouched.calls).toHaveLength(0);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('returns a response without a body as it is, and keeps no timer for it', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const { fetch } = fakeFetch(async () => new Response(null, { status: 204 }));
    const res = await createGuardedFetch({ timeoutMs: 1000, maxResponseBytes: 10, fetch })(
      'https://a.example',
    );
    expect(res.status).toBe(204);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('guards a node-fetch answer (its body a Node Readable) the same way, and answers a standard Response', async () => {
    let served = 0;
    const endless = Readable.from(
      (function* () {
        for (;;) {
          served += 4096;
          yield Buffer.alloc(4096, 32);
        }
      })(),
    );
    const nodeFetchLike = (async () =>
      ({
        status: 200,
        statusText: 'OK',
        headers: new Headers(),
        body: endless,
        url: 'http://a.example/',
      }) as unknown as Response) satisfies FetchLike;
    const res = await createGuardedFetch({
      timeoutMs: 60_000,
      maxResponseBytes: 65_536,
      fetch: nodeFetchLike,
    })('http://a.example/');
    expect(res).toBeInstanceOf(Response);
    expect(await rejectionOf(res.text())).toMatchObject({ code: 'RESPONSE_TOO_LARGE', limit: 65_536 });
    expect(endless.destroyed).toBe(true);
    // Node's stream-to-web bridge reads a few chunks ahead, no more.
    expect(served).toBeLessThan(65_536 + 32 * 4096);
  });

  it('refuses options that are not positive whole numbers', () => {
    for (const bad of [
      { timeoutMs: 0 },
      { maxResponseBytes: -1 },
      { timeoutMs: Number.NaN },
      { timeoutMs: 1.5 },
    ]) {
      expect(() => createGuardedFetch({ timeoutMs: 1000, maxResponseBytes: 10, ...bad })).toThrow(CoreError);
    }
  });

  it('finds its error inside the wrappers HTTP clients put around it', () => {
    const guard = HttpGuardError.deadline(100, 0, false);
    const wrapped = new Error('request failed', { cause: new Error('fetch failed', { cause: guard }) });
    expect(findHttpGuardError(wrapped)).toBe(guard);
    expect(findHttpGuardError(new Error('other'))).toBeNull();
    expect(findHttpGuardError('text')).toBeNull();
  });
});

/** A local server: `hang` never answers; `drip` sends headers, then one byte every 10 ms, forever. */
async function hostileServer(mode: 'hang' | 'drip') {
  const timers = new Set<NodeJS.Timeout>();
  const server: Server = createServer((req, res) => {
    if (mode === 'hang') return;
    res.writeHead(200, { 'content-type': 'application/json' });
    const timer = setInterval(() => res.write(' '), 10);
    timers.add(timer);
    req.socket.on('close', () => clearInterval(timer));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  return {
    url,
    close: () => {
      for (const timer of timers) clearInterval(timer);
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

describe('createGuardedFetch (real HTTP, short real deadlines)', () => {
  it('ends a request that never answers at its deadline although the garbage collector runs meanwhile', async () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const server = await hostileServer('hang');
    try {
      const guarded = createGuardedFetch({ timeoutMs: 150, maxResponseBytes: 1000 });
      const outcome = rejectionOf(guarded(server.url, { signal: new AbortController().signal }));
      for (let i = 0; i < 5; i += 1) {
        gc();
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      expect(await outcome).toMatchObject({ code: 'DEADLINE_EXCEEDED', limit: 150 });
    } finally {
      await server.close();
    }
  });

  it('ends a body that drips one byte at a time at the deadline of the whole exchange', async () => {
    const server = await hostileServer('drip');
    try {
      const res = await createGuardedFetch({ timeoutMs: 200, maxResponseBytes: 1000 })(server.url);
      const error = await rejectionOf(res.text());
      expect(error).toMatchObject({ code: 'DEADLINE_EXCEEDED', limit: 200 });
      expect((error as HttpGuardError).receivedBytes).toBeGreaterThan(0);
    } finally {
      await server.close();
    }
  });
});
