import type { CanonicalContactInput, CanonicalGroup } from '@contacts/core';
import { type CountryResolver, countryNameCode } from './address-country.js';
import { cardUid, groupMemberUids, isGroupCard } from './card-identity.js';
import { structuredParts, valueText } from './jcard.js';
import { cardCategories, mapContact } from './map-contact.js';
import { rawPayload } from './raw-payload.js';
import { readCard } from './read-card.js';
import { splitLines, splitObjects, type VObjectText } from './split-objects.js';

/**
 * Options of {@link parseVCard}: the card's href (its id: a CardDAV member is known by its href,
 * which sync-collection reports and deletes by) and ETag, and how typed country names become
 * ISO codes (default {@link countryNameCode}: core's table of country names).
 *
 * @example
 * ```ts
 * const options: ParseVCardOptions = { href: '/dav/addressbooks/ada/default/1.vcf', etag: '"6f2"' };
 * ```
 */
export interface ParseVCardOptions {
  href?: string | null;
  etag?: string | null;
  resolveCountry?: CountryResolver;
}

/**
 * What one card is: a person (`contact`, with its UID so group cards can name it, and its
 * CATEGORIES), a `group` (a group card: its name and member UIDs; never a person), `skipped`
 * (an object that is not a VCARD, such as SabreDAV's VLIST), or a `failure` with a sentence that
 * names the card and the line it could not read.
 *
 * @example
 * ```ts
 * const result = parseVCard('BEGIN:VCARD\r\nVERSION:4.0\r\nUID:1\r\nFN:Ada\r\nEND:VCARD\r\n', { href: '/1.vcf' });
 * if (result.kind === 'contact') result.contact.display_name; // 'Ada'
 * ```
 */
export type VCardResult =
  | { kind: 'contact'; uid: string | null; categories: string[]; contact: CanonicalContactInput }
  | { kind: 'group'; uid: string | null; group: CanonicalGroup; memberUids: string[] }
  | { kind: 'skipped'; objectKind: string; reason: string }
  | { kind: 'failure'; id: string | null; message: string };

const SHOWN_LINE = 80;

function preview(line: string): string {
  const shown = line.length > SHOWN_LINE ? `${Array.from(line.slice(0, SHOWN_LINE)).join('')}…` : line;
  return JSON.stringify(shown);
}

/** A UID found by a plain scan, for naming a card the parser refused. */
function scannedUid(text: string): string | null {
  for (const line of splitLines(text)) {
    const match = /^(?:[A-Za-z0-9-]+\.)?UID[;:](.*)$/i.exec(line);
    if (match) {
      const value = (match[1] ?? '').slice((match[1] ?? '').indexOf(':') + 1).trim();
      return value === '' ? null : value;
    }
  }
  return null;
}

/** `vCard /1.vcf (UID abc)`, `vCard with UID abc`, or `the vCard at line 12`. */
function cardName(href: string | null, uid: string | null, firstLine: number): string {
  if (href) return uid ? `vCard ${href} (UID ${uid})` : `vCard ${href}`;
  return uid ? `vCard with UID ${uid}` : `the vCard at line ${firstLine}`;
}

function parseObject(object: VObjectText, href: string | null, options: ParseVCardOptions): VCardResult {
  const read = readCard(object.text);
  if (!read.ok) {
    const uid = scannedUid(object.text);
    const where =
      read.line === null
        ? read.lineText === null
          ? ''
          : ` at ${preview(read.lineText)}`
        : ` at line ${object.firstLine + read.line - 1}${read.lineText === null ? '' : `, ${preview(read.lineText)}`}`;
    return {
      kind: 'failure',
      id: href ?? uid,
      message: `${cardName(href, uid, object.firstLine)} cannot be read${where}: ${read.reason}.`,
    };
  }
  const uid = cardUid(read.properties);
  const id = href ?? uid;
  if (isGroupCard(read.properties)) {
    const fn = read.properties.find((p) => p.name === 'fn');
    const n = read.properties.find((p) => p.name === 'n');
    const name = (fn ? valueText(fn) : null) ?? (n ? structuredParts(n, 1)[0] : null) ?? null;
    if (name === null || id === null) {
      return {
        kind: 'failure',
        id,
        message: `${cardName(href, uid, object.firstLine)} is a group card without ${name === null ? 'a name (FN)' : 'a UID'}, so its members get no label from it.`,
      };
    }
    return {
      kind: 'group',
      uid,
      group: { external_id: href ?? `urn:uuid:${uid}`, name, system: false, deleted: false },
      memberUids: groupMemberUids(read.properties),
    };
  }
  if (id === null) {
    return {
      kind: 'failure',
      id: null,
      message: `${cardName(href, uid, object.firstLine)} has no UID and no href, so it cannot be identified.`,
    };
  }
  const contact = mapContact(read.properties, {
    externalId: id,
    etag: options.etag ?? null,
    resolveCountry: options.resolveCountry ?? countryNameCode,
    raw: { ...(href ? { href } : {}), jcard: rawPayload(read.jcard) },
  });
  return { kind: 'contact', uid, categories: cardCategories(read.properties), contact };
}

/** Never an exception: a defect in a mapper fails this card, not the page it came in. */
function parseObjectSafely(
  object: VObjectText,
  href: string | null,
  options: ParseVCardOptions,
): VCardResult {
  try {
    return parseObject(object, href, options);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return {
      kind: 'failure',
      id: href,
      message: `${cardName(href, scannedUid(object.text), object.firstLine)} cannot be read: ${reason}.`,
    };
  }
}

/**
 * Parses one CardDAV member (one address object resource) into a {@link VCardResult}: the first
 * VCARD it holds, as a person or a group; an object of another kind is skipped; text without a
 * vCard, or a card ical.js refuses, is a failure naming the card (href, UID) and the line. Never
 * throws, whatever the text.
 *
 * @example
 * ```ts
 * parseVCard('BEGIN:VCARD\r\nVERSION:3.0\r\nUID:ada\r\nFN Ada\r\nEND:VCARD\r\n', { href: '/ada.vcf' });
 * // { kind: 'failure', id: '/ada.vcf', message: 'vCard /ada.vcf (UID ada) cannot be read at line 4, "FN Ada": invalid line (no token ";" or ":").' }
 * ```
 */
export function parseVCard(text: string, options: ParseVCardOptions = {}): VCardResult {
  const href = options.href ?? null;
  const objects = splitObjects(text);
  const card = objects.find((object) => object.kind === 'VCARD');
  if (card) return parseObjectSafely(card, href, options);
  const other = objects[0];
  if (other)
    return {
      kind: 'skipped',
      objectKind: other.kind,
      reason: `it holds a ${other.kind || 'nameless'} object, not a VCARD`,
    };
  return {
    kind: 'failure',
    id: href,
    message: `${href ? `vCard ${href}` : 'The text'} holds no vCard (no BEGIN:VCARD line).`,
  };
}

/**
 * Parses a text of several cards (a `.vcf` export), each on its own: one card that cannot be read
 * is a failure in its place and the others are read. Cards are known by their UID (an export has
 * no hrefs); non-VCARD objects are skipped.
 *
 * @example
 * ```ts
 * parseVCards('BEGIN:VCARD\nVERSION:3.0\nUID:1\nFN:Ada\nEND:VCARD\nBEGIN:VCARD\nVERSION:3.0\nUID:2\nFN:Grace\nEND:VCARD\n')
 *   .map((r) => r.kind); // ['contact', 'contact']
 * ```
 */
export function parseVCards(
  text: string,
  options: Omit<ParseVCardOptions, 'href' | 'etag'> = {},
): VCardResult[] {
  return splitObjects(text).map(
    (object): VCardResult =>
      object.kind === 'VCARD'
        ? parseObjectSafely(object, null, options)
        : {
            kind: 'skipped',
            objectKind: object.kind,
            reason: `it holds a ${object.kind || 'nameless'} object, not a VCARD`,
          },
  );
}
