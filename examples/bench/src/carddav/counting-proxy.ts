import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** Requests the proxy passed on since the last reset, in total and per HTTP method. */
export interface ProxyCounts {
  total: number;
  byMethod: Record<string, number>;
  /** Milliseconds during which at least one request was waiting for the server. */
  serverBusyMs: number;
}

/**
 * A loopback HTTP proxy in front of a CardDAV server that counts what a client sends: the
 * module talks to it exactly as to the server (it is the url configured), so every request of
 * the real provider is counted, redirects and retries included, without touching the code
 * measured.
 *
 * @example
 * ```ts
 * const proxy = await startCountingProxy('http://127.0.0.1:5232/');
 * // configure the source with url = proxy.url
 * proxy.counts(); // { total: 12, byMethod: { PROPFIND: 3, REPORT: 9 }, serverBusyMs: 840 }
 * await proxy.close();
 * ```
 */
export interface CountingProxy {
  url: string;
  counts(): ProxyCounts;
  reset(): void;
  close(): Promise<void>;
}

/** Starts a {@link CountingProxy} on 127.0.0.1 (a free port) in front of `target`. */
export async function startCountingProxy(target: string): Promise<CountingProxy> {
  const upstream = new URL(target);
  let total = 0;
  let byMethod: Record<string, number> = {};
  let busyMs = 0;
  let inFlight = 0;
  let busySince = 0;
  const begin = () => {
    if (inFlight++ === 0) busySince = performance.now();
  };
  const end = () => {
    if (--inFlight === 0) busyMs += performance.now() - busySince;
  };

  const forward = (req: IncomingMessage, res: ServerResponse) => {
    total += 1;
    const method = req.method ?? 'GET';
    byMethod[method] = (byMethod[method] ?? 0) + 1;
    begin();
    let ended = false;
    const finish = () => {
      if (!ended) {
        ended = true;
        end();
      }
    };
    // The Host header goes through unchanged: the server builds any absolute URL it answers
    // with (a redirect) on the proxy's address, which is the site the client trusts.
    const out = httpRequest(
      {
        hostname: upstream.hostname,
        port: upstream.port,
        method,
        path: req.url,
        headers: req.headers,
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
        answer.on('end', finish);
        answer.on('error', finish);
      },
    );
    out.on('error', (error) => {
      finish();
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' });
      res.end(`proxy: ${error.message}`);
    });
    req.pipe(out);
  };

  const server = createServer(forward);
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}${upstream.pathname}`,
    counts: () => ({
      total,
      byMethod: { ...byMethod },
      serverBusyMs: busyMs + (inFlight > 0 ? performance.now() - busySince : 0),
    }),
    reset: () => {
      total = 0;
      byMethod = {};
      busyMs = 0;
      if (inFlight > 0) busySince = performance.now();
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
