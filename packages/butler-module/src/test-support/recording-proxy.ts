import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { deferred } from './page-hooks.js';

/**
 * One request that went through a {@link RecordingProxy}. `start` and `end` are ticks of the
 * {@link EventSequence} shared by every proxy of a test: they order events across proxies (and so
 * across the processes behind them) without reading a clock.
 */
export interface ProxiedRequest {
  proxy: string;
  method: string;
  path: string;
  query: URLSearchParams;
  /** When the request reached the proxy (before any hold). */
  start: number;
  /** When its response was fully sent back; undefined while in flight (or if it never was). */
  end?: number;
  status?: number;
}

/** A counter shared by proxies: one tick per recorded event. */
export class EventSequence {
  #value = 0;
  next(): number {
    this.#value += 1;
    return this.#value;
  }
}

/** A held request: `reached` resolves when one arrived; `release()` lets it (and later ones) through. */
export interface Hold {
  reached: Promise<ProxiedRequest>;
  release(): void;
}

/**
 * An HTTP proxy in front of the Google emulator, one per `contacts serve` process. The emulator's
 * own request log cannot tell which process sent a request (every process uses the same
 * credentials), so each process gets its own proxy as `--google-root-url`/`--google-token-url`,
 * and the proxy records who asked what, in one order shared by all proxies. It can also hold the
 * next matching request until the test releases it: a deterministic "this process is mid-sync".
 *
 * @example
 * ```ts
 * const seq = new EventSequence();
 * const proxy = await RecordingProxy.start('a', emulator.url, seq);
 * const hold = proxy.holdNext((r) => r.query.has('pageToken'));
 * // spawn `contacts serve --google-root-url ${proxy.url}` ...
 * await hold.reached; // the process is between two pages of a sync
 * hold.release();
 * ```
 */
export class RecordingProxy {
  readonly requests: ProxiedRequest[] = [];
  readonly #holds: { matches: (r: ProxiedRequest) => boolean; hold: Hold; gate: Promise<void> }[] = [];
  readonly #releases: (() => void)[] = [];

  private constructor(
    readonly name: string,
    private readonly server: ReturnType<typeof createServer>,
    readonly url: string,
  ) {}

  /** Listens on a free port of 127.0.0.1 and forwards everything to `target` (an origin URL). */
  static async start(name: string, target: string, sequence: EventSequence): Promise<RecordingProxy> {
    const upstream = new URL(target);
    let proxy!: RecordingProxy;
    const server = createServer((req, res) => {
      proxy.#forward(req, res, upstream, sequence);
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    const { port } = server.address() as AddressInfo;
    proxy = new RecordingProxy(name, server, `http://127.0.0.1:${port}/`);
    return proxy;
  }

  /** The OAuth token endpoint behind this proxy (the emulator's `/token`). */
  get tokenUrl(): string {
    return `${this.url}token`;
  }

  /** Holds the next request that `matches` (once) until `release()`. */
  holdNext(matches: (request: ProxiedRequest) => boolean): Hold {
    const reached = deferred<ProxiedRequest>();
    const released = deferred();
    const hold: Hold = { reached: reached.promise, release: () => released.resolve() };
    this.#releases.push(hold.release);
    this.#holds.push({
      matches: (r) => {
        if (!matches(r)) return false;
        reached.resolve(r);
        return true;
      },
      hold,
      gate: released.promise,
    });
    return hold;
  }

  /** Lets every held request through and stops listening (dropping open connections). */
  async close(): Promise<void> {
    for (const release of this.#releases) release();
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  #forward(req: IncomingMessage, res: ServerResponse, upstream: URL, sequence: EventSequence): void {
    const url = new URL(req.url ?? '/', upstream);
    const entry: ProxiedRequest = {
      proxy: this.name,
      method: req.method ?? 'GET',
      path: url.pathname,
      query: url.searchParams,
      start: sequence.next(),
    };
    this.requests.push(entry);
    const index = this.#holds.findIndex((h) => h.matches(entry));
    const gate = index >= 0 ? this.#holds.splice(index, 1)[0]!.gate : Promise.resolve();
    // The body (the token endpoint's form) is read now, while the request may be held.
    const body: Buffer[] = [];
    req.on('data', (chunk: Buffer) => body.push(chunk));
    req.on('error', () => {});
    res.on('error', () => {});
    const bodyRead = new Promise<void>((resolve) => req.on('end', () => resolve()));
    void Promise.all([gate, bodyRead]).then(() => {
      const out = httpRequest(
        url,
        { method: entry.method, headers: { ...req.headers, host: upstream.host } },
        (answer: IncomingMessage) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
          answer.on('end', () => {
            entry.status = answer.statusCode;
            entry.end = sequence.next();
          });
        },
      );
      out.on('error', () => {
        // The emulator went away (test teardown), or the caller did: nothing to record.
        if (!res.headersSent) res.writeHead(502);
        res.end();
      });
      out.end(Buffer.concat(body));
    });
  }
}
