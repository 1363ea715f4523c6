import type { ServerResponse } from 'node:http';

/** How {@link streamBody} paces and stops. */
export interface StreamBodyOptions {
  /** Wait this long between two chunks (0: as fast as the client reads). */
  intervalMs: number;
  /** The emulator's sleep; it must reject when `signal` aborts. */
  sleep: (ms: number, signal: AbortSignal) => Promise<void>;
  /** Aborted when the emulator closes. */
  shutdown: AbortSignal;
}

/**
 * Writes the chunks of `chunks` to an answer whose headers are sent, honouring back-pressure,
 * until they run out (then ends it), the client closes the connection or the emulator closes.
 * Resolves with the body bytes handed to the connection: an upper bound of what the client got.
 *
 * @example
 * ```ts
 * res.writeHead(200, { 'content-type': 'application/json' });
 * const sent = await streamBody(res, forever(Buffer.from(' ')), { intervalMs: 1000, sleep, shutdown });
 * ```
 */
export async function streamBody(
  res: ServerResponse,
  chunks: Iterable<Buffer>,
  options: StreamBodyOptions,
): Promise<number> {
  // One signal for "stop writing", linked by hand to the client's close and the emulator's.
  const stop = new AbortController();
  const onStop = (): void => stop.abort();
  res.once('close', onStop);
  options.shutdown.addEventListener('abort', onStop, { once: true });
  if (options.shutdown.aborted || res.destroyed) stop.abort();
  let sent = 0;
  try {
    for (const chunk of chunks) {
      if (stop.signal.aborted) return sent;
      sent += chunk.length;
      if (!res.write(chunk)) await drained(res, stop.signal);
      if (options.intervalMs > 0 && !stop.signal.aborted) {
        await options.sleep(options.intervalMs, stop.signal).catch(() => undefined);
      }
    }
    if (!stop.signal.aborted) res.end();
    return sent;
  } finally {
    res.off('close', onStop);
    options.shutdown.removeEventListener('abort', onStop);
  }
}

function drained(res: ServerResponse, stop: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (stop.aborted) return resolve();
    const done = (): void => {
      res.off('drain', done);
      stop.removeEventListener('abort', done);
      resolve();
    };
    res.once('drain', done);
    stop.addEventListener('abort', done, { once: true });
  });
}

/**
 * The same chunk forever.
 *
 * @example
 * ```ts
 * const spaces = forever(Buffer.alloc(65_536, ' '));
 * ```
 */
export function* forever(chunk: Buffer): Generator<Buffer> {
  for (;;) yield chunk;
}

/**
 * `total` bytes of spaces in chunks of at most `chunkBytes`, then `tail`.
 *
 * @example
 * ```ts
 * const body = padded(200_000_000, Buffer.from('{"connections":[]}'), 65_536);
 * ```
 */
export function* padded(total: number, tail: Buffer, chunkBytes: number): Generator<Buffer> {
  const chunk = Buffer.alloc(chunkBytes, ' ');
  for (let left = total - tail.length; left > 0; left -= chunkBytes) {
    yield left >= chunkBytes ? chunk : chunk.subarray(0, left);
  }
  yield tail;
}
