import type { ContactUsername } from '@contacts/core';
import { type CardProperty, paramText, paramValues, valueText } from './jcard.js';

/** URI schemes of IMPP values, as the service names Google's IM protocols use (lower case). */
const SCHEME_SERVICES: Record<string, string> = {
  xmpp: 'jabber',
  aim: 'aim',
  skype: 'skype',
  msnim: 'msn',
  ymsgr: 'yahoo',
  icq: 'icq',
  gg: 'gadugadu',
  qq: 'qq',
  gtalk: 'googletalk',
};

/** vCard 3.0's one-property-per-service IM fields (Google's and Nextcloud's exports, old Apple). */
const LEGACY_IM: Record<string, string> = {
  'x-aim': 'aim',
  'x-jabber': 'jabber',
  'x-skype': 'skype',
  'x-skype-username': 'skype',
  'x-msn': 'msn',
  'x-yahoo': 'yahoo',
  'x-icq': 'icq',
  'x-gadugadu': 'gadugadu',
  'x-qq': 'qq',
  'x-google-talk': 'googletalk',
  'x-gtalk': 'googletalk',
  'x-twitter': 'twitter',
};

function decode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** `skype:ada.l?call` → `['skype', 'ada.l']`; a value without a scheme → `[null, value]`. */
function splitUri(value: string): [string | null, string] {
  const match = /^([a-z][a-z0-9+.-]*):(?:\/\/)?(.*)$/i.exec(value);
  if (!match) return [null, value];
  const rest = (match[2] ?? '').split('?')[0] ?? '';
  return [(match[1] ?? '').toLowerCase(), decode(rest).trim()];
}

function imppUsername(property: CardProperty): ContactUsername | null {
  const text = valueText(property);
  if (text === null) return null;
  const [scheme, rest] = splitUri(text);
  const declared = paramText(property.params, 'x-service-type');
  const service = (
    declared ??
    (scheme === null ? null : (SCHEME_SERVICES[scheme] ?? scheme)) ??
    'im'
  ).toLowerCase();
  // A Matrix URI names a user as `u/alan:example.org`; the handle people type is `@alan:example.org`.
  const value = scheme === 'matrix' && rest.startsWith('u/') ? `@${rest.slice(2)}` : rest;
  return value === '' ? null : { service, value };
}

/** Apple's `X-SOCIALPROFILE;type=twitter;x-user=adal:https://twitter.com/adal`. */
function socialUsername(property: CardProperty): ContactUsername | null {
  const text = valueText(property);
  const service = (paramValues(property.params, 'type').find((t) => t !== 'pref') ?? 'social').toLowerCase();
  const declared = paramText(property.params, 'x-user') ?? paramText(property.params, 'x-userid');
  if (declared) return { service, value: declared };
  if (text === null) return null;
  if (/^x-apple:/i.test(text)) return { service, value: decode(text.slice(8)).trim() || text };
  if (/^https?:\/\//i.test(text)) {
    // The last path segment of a profile URL is the handle (`https://twitter.com/adal` → adal).
    const segment =
      text
        .replace(/[?#].*$/, '')
        .split('/')
        .filter(Boolean)
        .pop() ?? '';
    const handle = decode(segment).replace(/^@/, '').trim();
    return { service, value: handle !== '' && !segment.includes('.') ? handle : text };
  }
  return { service, value: text };
}

/**
 * A card's usernames: IMPP (the service from Apple's `X-SERVICE-TYPE`, else the URI scheme as
 * Google names the protocol: `xmpp` is `jabber`), X-SOCIALPROFILE (service = its type, the user
 * from `x-user` or the profile URL's last segment), and vCard 3.0's `X-JABBER`, `X-SKYPE`, ...
 * One entry per service and user, whatever the case.
 *
 * @example
 * ```ts
 * mapUsernames([readProperty(['impp', { 'x-service-type': 'Skype' }, 'unknown', 'skype:ada.l'])]);
 * // [{ service: 'skype', value: 'ada.l' }]
 * ```
 */
export function mapUsernames(properties: readonly CardProperty[]): ContactUsername[] {
  const seen = new Set<string>();
  return properties.flatMap((property): ContactUsername[] => {
    let username: ContactUsername | null = null;
    if (property.name === 'impp') username = imppUsername(property);
    else if (property.name === 'x-socialprofile') username = socialUsername(property);
    else if (LEGACY_IM[property.name] !== undefined) {
      const value = valueText(property);
      username =
        value === null ? null : { service: LEGACY_IM[property.name]!, value: splitUri(value)[1] || value };
    }
    if (username === null || username.value === '') return [];
    const key = `${username.service}:${username.value}`.toLowerCase();
    if (seen.has(key)) return [];
    seen.add(key);
    return [username];
  });
}
