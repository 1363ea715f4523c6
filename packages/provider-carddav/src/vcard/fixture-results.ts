import { readFileSync } from 'node:fs';
import type { CanonicalContactInput, CanonicalGroup } from '@contacts/core';
import { parseVCards, type VCardResult } from './parse-vcard.js';

/**
 * The parsed cards of one export under `fixtures/` (test support): every result, and the people
 * and groups by UID, so a test asserts fields without caring about order.
 *
 * @example
 * ```ts
 * const icloud = fixtureResults('icloud.vcf');
 * icloud.contact('03a0e51f-d1aa-4385-8a53-e29025acd8af').display_name;
 * ```
 */
export function fixtureResults(file: string, options: Parameters<typeof parseVCards>[1] = {}) {
  const text = readFileSync(new URL(`./fixtures/${file}`, import.meta.url), 'utf8');
  const results: VCardResult[] = parseVCards(text, options);
  const contact = (uid: string): CanonicalContactInput => {
    const found = results.find((r) => r.kind === 'contact' && r.uid === uid);
    if (found?.kind !== 'contact') throw new Error(`${file} has no person with UID ${uid}`);
    return found.contact;
  };
  const group = (uid: string): { group: CanonicalGroup; memberUids: string[] } => {
    const found = results.find((r) => r.kind === 'group' && r.uid === uid);
    if (found?.kind !== 'group') throw new Error(`${file} has no group with UID ${uid}`);
    return found;
  };
  return { text, results, contact, group };
}
