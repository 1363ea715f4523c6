import { isIP } from 'node:net';

// Second-level labels that, under a two-letter country code, are a public suffix of their own
// (`example.co.uk`, `example.com.au`, `example.or.jp`): the registrable domain is then three labels.
// Without the public suffix list this is the conservative approximation: a suffix it misses makes
// a site SMALLER (`a.b.example` vs `c.b.example` stay apart), never larger, except for the rare
// ccTLD second level not listed here.
const COUNTRY_SECOND_LEVELS = new Set([
  'ac',
  'co',
  'com',
  'edu',
  'gob',
  'go',
  'gov',
  'govt',
  'ltd',
  'me',
  'mil',
  'ne',
  'net',
  'nhs',
  'nic',
  'nom',
  'or',
  'org',
  'plc',
  'sch',
]);

function bareHost(hostname: string): string {
  return hostname
    .toLowerCase()
    .replace(/^\[(.*)\]$/, '$1')
    .replace(/\.$/, '');
}

/**
 * The registrable domain of a host name as this client sees it (`p01-contacts.icloud.com` →
 * `icloud.com`, `dav.example.co.uk` → `example.co.uk`); an IP address or a single-label name
 * (`localhost`) is its own site.
 *
 * @example
 * ```ts
 * registrableDomain('p42-contacts.icloud.com'); // 'icloud.com'
 * registrableDomain('127.0.0.1'); // '127.0.0.1'
 * ```
 */
export function registrableDomain(hostname: string): string {
  const host = bareHost(hostname);
  if (isIP(host) !== 0) return host;
  const labels = host.split('.');
  if (labels.length <= 2) return host;
  const tld = labels[labels.length - 1] ?? '';
  const second = labels[labels.length - 2] ?? '';
  const take = tld.length === 2 && COUNTRY_SECOND_LEVELS.has(second) ? 3 : 2;
  return labels.slice(-take).join('.');
}

function effectivePort(url: URL): string {
  if (url.port) return url.port;
  return url.protocol === 'https:' ? '443' : url.protocol === 'http:' ? '80' : '';
}

/**
 * Whether a redirect from `from` to `to` stays on the same site, the only case in which the
 * credentials are sent again. "Same site" here means all of:
 * - the same scheme (an https → http downgrade never carries a password);
 * - the same port (another port on the same host is another service);
 * - for IP addresses and single-label names such as `localhost`: the same host exactly;
 * - for domain names: the same registrable domain (see {@link registrableDomain}), so iCloud's
 *   `contacts.icloud.com` → `p01-contacts.icloud.com` partition redirect keeps the credentials,
 *   while `dav.example.com` → `dav.example.org` or `evil.co.uk` never gets them.
 *
 * @example
 * ```ts
 * sameSite(new URL('https://contacts.icloud.com/'), new URL('https://p01-contacts.icloud.com/123/')); // true
 * sameSite(new URL('http://127.0.0.1:5232/'), new URL('http://localhost:5232/')); // false
 * ```
 */
export function sameSite(from: URL, to: URL): boolean {
  if (from.protocol !== to.protocol) return false;
  if (effectivePort(from) !== effectivePort(to)) return false;
  const a = bareHost(from.hostname);
  const b = bareHost(to.hostname);
  if (a === b) return true;
  if (isIP(a) !== 0 || isIP(b) !== 0 || !a.includes('.') || !b.includes('.')) return false;
  return registrableDomain(a) === registrableDomain(b);
}
