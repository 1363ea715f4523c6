import { BlockList, isIP } from 'node:net';

function loopbackList(): BlockList {
  const list = new BlockList();
  list.addSubnet('127.0.0.0', 8, 'ipv4');
  list.addAddress('::1', 'ipv6');
  return list;
}

/**
 * Whether a URL's hostname is this machine: `localhost`, 127.0.0.0/8 or ::1 (IPv4-mapped forms
 * and the other spellings the URL parser normalises, such as `2130706433`, included).
 *
 * @example
 * ```ts
 * isLoopbackHost(new URL('http://127.0.0.1:4010/').hostname); // true
 * isLoopbackHost('[::1]'); // true
 * isLoopbackHost('people.googleapis.com'); // false
 * ```
 */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.toLowerCase().replace(/^\[(.*)\]$/, '$1');
  if (host === 'localhost' || host === 'localhost.') return true;
  const family = isIP(host);
  if (family === 0) return false;
  return loopbackList().check(host, family === 6 ? 'ipv6' : 'ipv4');
}

/**
 * Why `value` may not carry credentials, or null when it may: it must be an `https:` URL, or an
 * `http:` one whose host is loopback (a local emulator or proxy). The reason never quotes the
 * URL, whose user info or query may hold a secret; callers prefix it with the option's name.
 *
 * @example
 * ```ts
 * const why = credentialUrlProblem(options.tokenUrl);
 * if (why) throw new Error(`tokenUrl ${why}`);
 * credentialUrlProblem('http://token.example/'); // 'must be https:// (plain http:// only for a loopback host: ...)'
 * credentialUrlProblem('http://127.0.0.1:4010/token'); // null
 * ```
 */
export function credentialUrlProblem(value: string): string | null {
  if (!URL.canParse(value)) return 'must be an https:// URL';
  const url = new URL(value);
  if (url.protocol === 'https:') return null;
  if (url.protocol === 'http:' && isLoopbackHost(url.hostname)) return null;
  if (url.protocol === 'http:') {
    return 'must be https:// (plain http:// only for a loopback host: localhost, 127.0.0.0/8 or ::1)';
  }
  return 'must be an https:// URL';
}
