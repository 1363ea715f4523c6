import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A redirect target on 127.0.0.1 that waits for the one callback of a consent. */
export interface LoopbackRedirect {
  /** `http://127.0.0.1:PORT/callback`: the redirect URI the consent names. */
  redirectUri: string;
  /** Resolves with the callback's query; rejects when `signal` aborts. Closes the server either way. */
  callback(signal: AbortSignal): Promise<URLSearchParams>;
  close(): Promise<void>;
}

const PAGE = (text: string) =>
  `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>contacts</title></head><body><p>${text}</p></body></html>`;

/**
 * Listens on 127.0.0.1, on a port the system picks (the installed-app loopback flow: Google
 * accepts any port for `http://127.0.0.1`), and answers the browser's callback with a page that
 * tells the person they can close it.
 *
 * @example
 * ```ts
 * const loopback = await startLoopbackRedirect();
 * const consent = createGoogleConsent({ clientId, redirectUri: loopback.redirectUri, includeOtherContacts: false });
 * const query = await loopback.callback(AbortSignal.timeout(300_000));
 * ```
 */
export async function startLoopbackRedirect(): Promise<LoopbackRedirect> {
  let deliver: (query: URLSearchParams) => void = () => {};
  const arrived = new Promise<URLSearchParams>((resolve) => {
    deliver = resolve;
  });
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (req.method !== 'GET' || url.pathname !== '/callback') {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('Not found');
      return;
    }
    const ok = url.searchParams.has('code');
    res
      .writeHead(200, { 'content-type': 'text/html; charset=utf-8', connection: 'close' })
      .end(
        PAGE(
          ok
            ? 'Access granted: you can close this tab and go back to the terminal.'
            : 'Access was not granted: see the terminal.',
        ),
      );
    deliver(url.searchParams);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  let closed: Promise<void> | undefined;
  const close = () => {
    closed ??= new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
    return closed;
  };
  return {
    redirectUri: `http://127.0.0.1:${port}/callback`,
    close,
    async callback(signal) {
      try {
        return await new Promise<URLSearchParams>((resolve, reject) => {
          if (signal.aborted) return reject(signal.reason);
          signal.addEventListener('abort', () => reject(signal.reason), { once: true });
          arrived.then(resolve, reject);
        });
      } finally {
        await close();
      }
    },
  };
}
