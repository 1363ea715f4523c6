import { Readable } from 'node:stream';
import { CoreError } from '../errors.js';
import { HttpGuardError } from './http-guard-error.js';

/**
 * The shape of `globalThis.fetch`, which a guarded fetch both takes and is. The fetch it takes
 * may also be node-fetch, whose body is a Node `Readable`; the guarded fetch always answers a
 * standard `Response`.
 *
 * @example
 * ```ts
 * const logged: FetchLike = (input, init) => { console.error('GET', String(input)); return fetch(input, init); };
 * ```
 */
export type FetchLike = (input: string | URL | Request, init?: RequestInit) => Promise<Response>;

/**
 * Options of {@link createGuardedFetch}.
 *
 * @example
 * ```ts
 * const options: GuardedFetchOptions = { timeoutMs: 60_000, maxResponseBytes: 64 * 1024 * 1024 };
 * ```
 */
export interface GuardedFetchOptions {
  /** The deadline of one whole exchange: from the call until the body's last byte (not per chunk). */
  timeoutMs: number;
  /** The largest body accepted, in bytes as fetch delivers them (after content decoding). */
  maxResponseBytes: number;
  /** The fetch to guard (default {@link defaultFetch}: undici 8's, for a `Request` Node's own). */
  fetch?: FetchLike | undefined;
}

let undiciFetch: Promise<FetchLike> | undefined;

/**
 * The fetch a guarded fetch uses unless given one: the `undici` package's (8.x), loaded on the first
 * request. Not Node 22's built-in fetch: its bundled undici (6.x) throws an uncatchable
 * AssertionError from the socket's 'end' handler, ending the process, when a server closes the
 * connection while the parser is paused under backpressure (nodejs/undici#5360, fixed in 8). A
 * Radicale that answers a 5,000-card listing and closes the connection did exactly that. A
 * `Request` object goes to the built-in fetch, whose class it is.
 *
 * @example
 * ```ts
 * const res = await defaultFetch('https://people.googleapis.com/v1/people/me');
 * ```
 */
export const defaultFetch: FetchLike = async (input, init) => {
  if (input instanceof Request) return globalThis.fetch(input, init);
  undiciFetch ??= import('undici').then((undici) => undici.fetch as unknown as FetchLike);
  return (await undiciFetch)(input, init);
};

// Statuses whose Response may not carry a body (the Response constructor refuses one).
const NULL_BODY_STATUSES = new Set([101, 103, 204, 205, 304]);

const ignore = (): void => {};

/**
 * The body as a web stream: Node's fetch gives one; node-fetch (which HTTP clients still use
 * behind a proxy agent) gives a Node `Readable`.
 */
function webBody(body: unknown): ReadableStream<Uint8Array> | null {
  if (body === null || body === undefined) return null;
  if (body instanceof Readable) return Readable.toWeb(body) as ReadableStream<Uint8Array>;
  return body as ReadableStream<Uint8Array>;
}

function positiveInteger(name: string, value: number): void {
  if (!Number.isSafeInteger(value) || value <= 0) {
    throw new CoreError('INVALID_CONFIG', `${name} must be a positive whole number (got ${value}).`);
  }
}

/**
 * Wraps `fetch` so that every exchange ends within `timeoutMs` (headers AND the whole body) and
 * never delivers more than `maxResponseBytes` of body, whatever the server does: answers nothing,
 * sends its headers and then one byte a second, or an endless or huge body. Every provider's HTTP
 * goes through one, so each inherits the same bounds.
 *
 * Why not `AbortSignal.timeout()` combined with the caller's signal by `AbortSignal.any()`: on
 * Node 20 the garbage collector may collect that timeout signal while the request waits
 * (nodejs/node#57736), and the request then waits for undici's own timeouts (300 s for headers,
 * 300 s between two body chunks: a slow drip never ends). Here the deadline is a plain
 * `setTimeout` that stays referenced until the exchange ends, and the caller's signal is linked
 * by hand and unlinked when the exchange ends.
 *
 * Failures are {@link HttpGuardError}s (`DEADLINE_EXCEEDED`, `RESPONSE_TOO_LARGE`), thrown by
 * the call, or by the body's reader (`res.text()`, `res.json()`...) once the headers are in. A
 * `Content-Length` over the cap fails before any of the body is read; otherwise the body is
 * counted as it streams and cut off (the connection closed) as soon as it passes the cap. The
 * caller's abort rejects with the caller's reason, as `fetch` does.
 *
 * @throws CoreError `INVALID_CONFIG` when an option is not a positive whole number.
 * @example
 * ```ts
 * const guardedFetch = createGuardedFetch({ timeoutMs: 60_000, maxResponseBytes: 64 * 1024 * 1024 });
 * try {
 *   const res = await guardedFetch('https://example.org/contacts', { signal });
 *   const page = await res.json();
 * } catch (e) {
 *   if (e instanceof HttpGuardError && e.code === 'DEADLINE_EXCEEDED') { ... } // retry later
 *   if (e instanceof HttpGuardError && e.code === 'RESPONSE_TOO_LARGE') { ... } // do not retry
 * }
 * ```
 */
export function createGuardedFetch(options: GuardedFetchOptions): FetchLike {
  positiveInteger('timeoutMs', options.timeoutMs);
  positiveInteger('maxResponseBytes', options.maxResponseBytes);
  const inner: FetchLike = options.fetch ?? defaultFetch;
  return (input, init) => guardedExchange(inner, options, input, init);
}

async function guardedExchange(
  inner: FetchLike,
  { timeoutMs, maxResponseBytes }: GuardedFetchOptions,
  input: string | URL | Request,
  init: RequestInit | undefined,
): Promise<Response> {
  const callerSignal = init?.signal ?? (input instanceof Request ? input.signal : undefined) ?? undefined;
  const abort = new AbortController();
  let ended = false;
  // Set once the exchange failed (deadline, cap or the caller's abort): the reason it ends with.
  let failure = null as { reason: unknown } | null;
  let headersArrived = false;
  let received = 0;
  // Where a failure goes: the pending header wait first, the body stream once headers are in.
  let deliver: (reason: unknown) => void = ignore;

  const onCallerAbort = (): void => fail(callerSignal?.reason);
  const end = (): void => {
    if (ended) return;
    ended = true;
    clearTimeout(timer);
    callerSignal?.removeEventListener('abort', onCallerAbort);
  };
  function fail(reason: unknown): void {
    if (ended) return;
    end();
    failure = { reason };
    // Closes the connection; the fetch in flight (or the body it streams) ends with `reason`.
    abort.abort(reason);
    deliver(reason);
  }

  // Referenced on purpose: an exchange in flight must end at its deadline even when nothing else
  // keeps the event loop alive. It is cleared as soon as the exchange ends, however it ends.
  const timer = setTimeout(
    () => fail(HttpGuardError.deadline(timeoutMs, received, headersArrived)),
    timeoutMs,
  );
  if (callerSignal?.aborted) fail(callerSignal.reason);
  else callerSignal?.addEventListener('abort', onCallerAbort, { once: true });

  let response: Response;
  try {
    response = await new Promise<Response>((resolve, reject) => {
      if (failure) return reject(failure.reason);
      deliver = reject;
      inner(input, { ...init, signal: abort.signal }).then((res) => {
        // A fetch that ignored the abort and answered anyway: its body is not wanted.
        if (failure) webBody(res.body)?.cancel().catch(ignore);
        resolve(res);
      }, reject);
    });
  } catch (error) {
    end();
    throw failure ? failure.reason : error;
  }
  headersArrived = true;
  const source = webBody(response.body);

  const declared = response.headers.get('content-length');
  const declaredBytes = declared !== null && /^\d+$/.test(declared.trim()) ? Number(declared) : null;
  if (declaredBytes !== null && declaredBytes > maxResponseBytes) {
    const error = HttpGuardError.tooLarge(maxResponseBytes, 0, declaredBytes);
    fail(error);
    source?.cancel(error).catch(ignore);
    throw error;
  }
  if (source === null || NULL_BODY_STATUSES.has(response.status)) {
    end();
    return response;
  }

  const reader = source.getReader();
  const body = new ReadableStream<Uint8Array>(
    {
      start(controller) {
        deliver = (reason) => {
          controller.error(reason);
          reader.cancel(reason).catch(ignore);
        };
      },
      async pull(controller) {
        let chunk: Awaited<ReturnType<typeof reader.read>>;
        try {
          chunk = await reader.read();
        } catch (error) {
          // Our own abort errors the source with our reason; anything else is the network's.
          if (!failure) {
            end();
            controller.error(error);
          }
          return;
        }
        if (failure) return;
        if (chunk.done) {
          end();
          controller.close();
          return;
        }
        received += chunk.value.byteLength;
        if (received > maxResponseBytes) {
          fail(HttpGuardError.tooLarge(maxResponseBytes, received, null));
          return;
        }
        controller.enqueue(chunk.value);
      },
      cancel(reason) {
        // The reader no longer wants the body: close the connection rather than drain it.
        end();
        abort.abort(reason);
        return reader.cancel(reason);
      },
    },
    // No read-ahead: a chunk is read from the network only when the consumer asks for one.
    { highWaterMark: 0 },
  );
  const guarded = new Response(body, {
    status: response.status,
    statusText: response.statusText,
    headers: response.headers,
  });
  // A new Response has no URL of its own; clients read it (redirects, error messages).
  Object.defineProperties(guarded, {
    url: { value: response.url },
    redirected: { value: response.redirected },
  });
  return guarded;
}
