import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { NS } from '../dav/namespaces.js';
import { children, parseXml } from '../dav/xml.js';
import { ScriptedBook } from './scripted-book.js';
import { bookProps, collectionResponse, memberResponse, multistatus, xmlError } from './scripted-xml.js';

/**
 * What the scripted server does that real servers never do on loopback.
 *
 * @example
 * ```ts
 * const quirks: ScriptedQuirks = { syncPageSize: 2, multigetOmit: ['2.vcf'], unquotedEtags: true };
 * ```
 */
export interface ScriptedQuirks {
  /** sync-collection answers at most this many members, then a 507 for the book (RFC 6578 truncation). */
  syncPageSize?: number;
  /** No sync-collection: not in supported-report-set, no sync-token, the REPORT is refused (403). */
  noSyncCollection?: boolean;
  /** Google: an empty sync token is answered 400. */
  refuseEmptyToken?: boolean;
  /** How an unknown token is refused: 403 or 409 with `valid-sync-token`, or Xandikos' bare 500. */
  invalidTokenStatus?: 403 | 409 | 500;
  /** ETags without quotes (groupoffice#556). */
  unquotedEtags?: boolean;
  /** A multiget answers at most this many hrefs (Zoho: 100). */
  multigetCap?: number;
  /** Card names a multiget leaves out of its answer (vdirsyncer#1212); GET still serves them. */
  multigetOmit?: string[];
  /** Card names GET fails with 500 (to record a failure). */
  getFails?: string[];
  /** The server stores a rewritten card (as Radicale does), and then answers PUT without an ETag. */
  rewrite?: (data: string) => string;
}

/**
 * Options of {@link startScriptedServer}.
 *
 * @example
 * ```ts
 * const options: ScriptedServerOptions = { credentials: { username: 'ada', password: 'pw' }, quirks: {} };
 * ```
 */
export interface ScriptedServerOptions {
  /** When set, every request must carry this Basic auth, else 401. */
  credentials?: { username: string; password: string };
  quirks?: ScriptedQuirks;
}

/**
 * A request the scripted server received.
 *
 * @example
 * ```ts
 * server.log.filter((r) => r.method === 'REPORT').length;
 * ```
 */
export interface ScriptedRequest {
  method: string;
  path: string;
  /** The `x-scripted-host` header (a test's fetch that maps other hosts here) or the Host header. */
  host: string;
  /** Whether an Authorization header came (whatever its value). */
  sentCredentials: boolean;
  depth: string | undefined;
  /** A REPORT's kind (`sync-collection`, `addressbook-multiget`, ...), its body's root element. */
  report?: string;
}

/**
 * A running scripted server.
 *
 * @example
 * ```ts
 * const server = await startScriptedServer({ quirks: { syncPageSize: 2 } });
 * server.book.put('1.vcf', card);
 * await server.close();
 * ```
 */
export interface ScriptedServer {
  /** `http://127.0.0.1:PORT/` */
  url: string;
  /** The one address book: `http://127.0.0.1:PORT/dav/home/book/` */
  bookUrl: string;
  book: ScriptedBook;
  quirks: ScriptedQuirks;
  log: ScriptedRequest[];
  /** Path → where it redirects (status 301 unless given), checked before anything else. */
  redirects: Map<string, { location: string; status?: number }>;
  close(): Promise<void>;
}

export const BOOK_PATH = '/dav/home/book/';
const PRINCIPAL = '/dav/principal/';
const HOME = '/dav/home/';

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function send(res: ServerResponse, status: number, body = '', headers: Record<string, string> = {}): void {
  const type = body.startsWith('<?xml') ? { 'content-type': 'application/xml; charset=utf-8' } : {};
  res.writeHead(status, { ...type, ...headers });
  res.end(body);
}

/**
 * Starts a scripted CardDAV server on 127.0.0.1 (a free port): discovery (`/.well-known/carddav`
 * → `/dav/`, a principal, a home with one book), PROPFIND, sync-collection, multiget, GET, PUT
 * and DELETE on one in-memory book, plus the quirks asked for. For the tests' own scenarios that
 * Radicale and Xandikos never produce (507 truncation, tokens invalidated mid-life, Google's 400,
 * redirects to other hosts, multigets that omit or cap, unquoted ETags, rewritten cards).
 *
 * @example
 * ```ts
 * const server = await startScriptedServer({ credentials: { username: 'ada', password: 'pw' } });
 * const transport = new DavTransport({ site: server.url, credentials: { username: 'ada', password: 'pw' } });
 * ```
 */
export async function startScriptedServer(options: ScriptedServerOptions = {}): Promise<ScriptedServer> {
  const book = new ScriptedBook();
  const quirks = options.quirks ?? {};
  const log: ScriptedRequest[] = [];
  const redirects = new Map<string, { location: string; status?: number }>([
    ['/.well-known/carddav', { location: '/dav/' }],
  ]);
  const expected = options.credentials
    ? `Basic ${Buffer.from(`${options.credentials.username}:${options.credentials.password}`).toString('base64')}`
    : null;
  const etag = (version: number) => (quirks.unquotedEtags ? `v${version}` : `"v${version}"`);

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    const body = await readBody(req);
    const method = req.method ?? 'GET';
    const host = String(req.headers['x-scripted-host'] ?? req.headers.host ?? '');
    const entry: ScriptedRequest = {
      method,
      path,
      host,
      sentCredentials: req.headers.authorization !== undefined,
      depth: req.headers.depth as string | undefined,
    };
    log.push(entry);
    const redirect = redirects.get(path);
    if (redirect) return send(res, redirect.status ?? 301, '', { location: redirect.location });
    if (expected !== null && req.headers.authorization !== expected) {
      return send(res, 401, 'Unauthorized', { 'www-authenticate': 'Basic realm="scripted"' });
    }
    const depth = req.headers.depth ?? '0';
    if (method === 'PROPFIND') {
      // The context path names only the principal; the principal names the home.
      if (path === '/dav/')
        return send(res, 207, multistatus([collectionResponse(path, { principal: PRINCIPAL })]));
      if (path === PRINCIPAL) {
        return send(res, 207, multistatus([collectionResponse(path, { principal: PRINCIPAL, home: HOME })]));
      }
      if (path === HOME) {
        const own = collectionResponse(HOME, { principal: PRINCIPAL });
        const listed =
          depth === '1'
            ? [own, collectionResponse(BOOK_PATH, { addressbook: true, name: 'Scripted' })]
            : [own];
        return send(res, 207, multistatus(listed));
      }
      if (path === BOOK_PATH) {
        const own = bookProps(BOOK_PATH, book, quirks);
        const members =
          depth === '1'
            ? [...book.cards.values()].map((c) => memberResponse(BOOK_PATH + c.name, etag(c.version)))
            : [];
        return send(res, 207, multistatus([own, ...members]));
      }
      return send(res, 404);
    }
    if (method === 'REPORT' && path === BOOK_PATH) {
      const root = parseXml(body);
      entry.report = root.local;
      if (root.local === 'sync-collection') return syncCollection(res, root);
      if (root.local === 'addressbook-multiget') return multiget(res, root);
      return send(res, 403, xmlError('supported-report'));
    }
    const name = path.startsWith(BOOK_PATH) ? path.slice(BOOK_PATH.length) : null;
    if (name === null || name === '' || name.includes('/')) return send(res, 404);
    if (method === 'GET') {
      const card = book.cards.get(name);
      if (quirks.getFails?.includes(name)) return send(res, 500, 'broken');
      return card
        ? send(res, 200, card.data, { etag: etag(card.version), 'content-type': 'text/vcard' })
        : send(res, 404);
    }
    if (method === 'PUT') {
      const existed = book.cards.has(name);
      const card = book.put(name, quirks.rewrite ? quirks.rewrite(body) : body);
      return send(res, existed ? 204 : 201, '', quirks.rewrite ? {} : { etag: etag(card.version) });
    }
    if (method === 'DELETE') return send(res, book.delete(name) ? 204 : 404);
    return send(res, 405);
  };

  const syncCollection = (res: ServerResponse, root: ReturnType<typeof parseXml>) => {
    if (quirks.noSyncCollection) return send(res, 403, xmlError('supported-report'));
    const token = children(root, NS.dav, 'sync-token')[0]?.text.trim() ?? '';
    if (token === '' && quirks.refuseEmptyToken) return send(res, 400, 'Bad Request');
    const since = token === '' ? 0 : book.readToken(token);
    if (since === null) {
      const status = quirks.invalidTokenStatus ?? 403;
      return send(res, status, status === 500 ? 'Internal Server Error' : xmlError('valid-sync-token'));
    }
    const changes = book.changesSince(since);
    const size = quirks.syncPageSize ?? Number.POSITIVE_INFINITY;
    const page = changes.slice(0, size);
    const truncated = changes.length > page.length;
    const last = truncated ? (page[page.length - 1]?.seq ?? since) : book.seq;
    const responses = page.map((c) =>
      c.card
        ? memberResponse(BOOK_PATH + c.name, etag(c.card.version))
        : `<d:response><d:href>${BOOK_PATH}${c.name}</d:href><d:status>HTTP/1.1 404 Not Found</d:status></d:response>`,
    );
    if (truncated)
      responses.push(
        `<d:response><d:href>${BOOK_PATH}</d:href><d:status>HTTP/1.1 507 Insufficient Storage</d:status></d:response>`,
      );
    send(res, 207, multistatus(responses, book.token(last)));
  };

  const multiget = (res: ServerResponse, root: ReturnType<typeof parseXml>) => {
    // Answered in the decoded spelling (`@` for `%40`): clients must compare hrefs normalised.
    const hrefs = children(root, NS.dav, 'href').map((h) => decodeURIComponent(h.text.trim()));
    const responses: string[] = [];
    for (const href of hrefs) {
      if (quirks.multigetCap !== undefined && responses.length >= quirks.multigetCap) break;
      const name = href.startsWith(BOOK_PATH) ? href.slice(BOOK_PATH.length) : href;
      if (quirks.multigetOmit?.includes(name)) continue;
      const card = book.cards.get(name);
      responses.push(
        card
          ? memberResponse(href, etag(card.version), card.data)
          : `<d:response><d:href>${href}</d:href><d:status>HTTP/1.1 404 Not Found</d:status></d:response>`,
      );
    }
    send(res, 207, multistatus(responses));
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) send(res, 500, String(error));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}/`;
  return {
    url,
    bookUrl: new URL(BOOK_PATH, url).href,
    book,
    quirks,
    log,
    redirects,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
