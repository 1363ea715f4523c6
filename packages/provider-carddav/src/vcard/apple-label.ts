import type { CardProperty } from './jcard.js';
import { valueText } from './jcard.js';

/** Apple's built-in labels (`_$!<Name>!$_`) as the plain words Google's types use. */
const APPLE_LABELS: Record<string, string> = {
  anniversary: 'anniversary',
  other: 'other',
  home: 'home',
  work: 'work',
  mobile: 'mobile',
  main: 'main',
  homefax: 'homeFax',
  workfax: 'workFax',
  otherfax: 'otherFax',
  pager: 'pager',
  homepage: 'homePage',
  school: 'school',
  iphone: 'iPhone',
  assistant: 'assistant',
};

const BUILT_IN = /^_\$!<(.*)>!\$_$/;

/**
 * An Apple `X-ABLabel` as a plain label: a built-in one (`_$!<Anniversary>!$_`) becomes the word
 * Google's types use (`anniversary`, `other`, `homePage`, ...; an unknown built-in its name with
 * a lower-case first letter), a label the user typed is kept as typed. Radicale upper-cases the
 * property NAME (`X-ABLABEL`), never the value, so the value's case is the user's.
 *
 * @example
 * ```ts
 * appleLabel('_$!<Anniversary>!$_'); // 'anniversary'
 * appleLabel('_$!<HomeFAX>!$_'); // 'homeFax'
 * appleLabel('Graduation'); // 'Graduation'
 * ```
 */
export function appleLabel(label: string): string | null {
  const trimmed = label.trim();
  const builtIn = BUILT_IN.exec(trimmed)?.[1]?.trim();
  if (builtIn === undefined) return trimmed === '' ? null : trimmed;
  if (builtIn === '') return null;
  return APPLE_LABELS[builtIn.toLowerCase()] ?? `${builtIn[0]!.toLowerCase()}${builtIn.slice(1)}`;
}

/**
 * The labels of a card's Apple groups: `item1.X-ABLabel:School` ties the label to every other
 * `item1.` property (an email, a date, an address). Keys are lower-case group names.
 *
 * @example
 * ```ts
 * groupLabels([readProperty(['x-ablabel', { group: 'item1' }, 'unknown', '_$!<Other>!$_'])]); // Map { 'item1' => 'other' }
 * ```
 */
export function groupLabels(properties: readonly CardProperty[]): Map<string, string> {
  const labels = new Map<string, string>();
  for (const property of properties) {
    if (property.name !== 'x-ablabel' || property.group === null || labels.has(property.group)) continue;
    const text = valueText(property);
    const label = text === null ? null : appleLabel(text);
    if (label !== null) labels.set(property.group, label);
  }
  return labels;
}
