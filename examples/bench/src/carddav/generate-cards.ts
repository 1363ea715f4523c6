// The CardDAV benchmark's address book: vCards written straight into Radicale's storage folder.
// Deterministic (the card's index picks every value), and every card a distinct person: names,
// emails and phones never collide, so the first full sync creates one CRM contact per card.

const GIVEN = ['Ada', 'Grace', 'Alan', 'Edsger', 'Barbara', 'Donald', 'Frances', 'John', 'Margaret', 'Ken'];
const FAMILY = ['Lovelace', 'Hopper', 'Turing', 'Dijkstra', 'Liskov', 'Knuth', 'Allen', 'Backus', 'Hamilton'];
const CITIES = [
  ['Berlin', '10115', 'DE'],
  ['Paris', '75001', 'FR'],
  ['Austin', '78701', 'US'],
  ['Leeds', 'LS1 4AP', 'GB'],
  ['Lyon', '69001', 'FR'],
] as const;
const GROUPS = ['Friends', 'Family', 'Work', 'Book club', 'Neighbours'];

/** One card of the book: its file name in the collection and its vCard text. */
export interface BenchCard {
  name: string;
  vcard: string;
}

const pad = (n: number, width: number) => String(n).padStart(width, '0');

/** The file name (and href segment) of card `index`. */
export function cardName(index: number): string {
  return `bench-${pad(index, 6)}.vcf`;
}

/**
 * Card `index` (0-based) of the benchmark book, a vCard 3.0 with the fields a real address book
 * has: N/FN, two emails (one preferred), a phone in E.164, an address, a birthday, an
 * organization and title, a category. `edit` > 0 is the same person after the `edit`-th change
 * on the server: a new title and a third email.
 *
 * @example
 * ```ts
 * const card = benchCard(0); // { name: 'bench-000000.vcf', vcard: 'BEGIN:VCARD\r\n...' }
 * ```
 */
export function benchCard(index: number, edit = 0): BenchCard {
  const given = GIVEN[index % GIVEN.length]!;
  const family = `${FAMILY[Math.floor(index / GIVEN.length) % FAMILY.length]!} ${pad(index, 6)}`;
  const [city, code, country] = CITIES[index % CITIES.length]!;
  const slug = `${given}.${family.replace(' ', '.')}`.toLowerCase();
  const lines = [
    'BEGIN:VCARD',
    'VERSION:3.0',
    `UID:bench-${pad(index, 6)}`,
    `FN:${given} ${family}`,
    `N:${family};${given};;;`,
    `EMAIL;TYPE=INTERNET,HOME,pref:${slug}@example.org`,
    `EMAIL;TYPE=INTERNET,WORK:${slug}@work.example.com`,
    `TEL;TYPE=CELL:+1555${pad(index, 7)}`,
    `ADR;TYPE=HOME:;;${1 + (index % 200)} Bench Street;${city};;${code};${country}`,
    `BDAY:${1950 + (index % 50)}-${pad(1 + (index % 12), 2)}-${pad(1 + (index % 28), 2)}`,
    `ORG:Bench Corp ${index % 97}`,
    `TITLE:${edit > 0 ? `Edited title ${edit}` : 'Engineer'}`,
    `CATEGORIES:${GROUPS[index % GROUPS.length]!}`,
    ...(edit > 0 ? [`EMAIL;TYPE=INTERNET,OTHER:edited.${edit}.${slug}@example.net`] : []),
    'END:VCARD',
    '',
  ];
  return { name: cardName(index), vcard: lines.join('\r\n') };
}

/** The first `count` cards of the book. */
export function* benchBook(count: number): Generator<BenchCard> {
  for (let index = 0; index < count; index += 1) yield benchCard(index);
}

/**
 * Which cards the 1% change edits: `count` indexes spread evenly over a book of `size` cards.
 *
 * @example
 * ```ts
 * editedIndexes(5000, 50); // [50, 150, 250, ...]
 * ```
 */
export function editedIndexes(size: number, count: number): number[] {
  const n = Math.min(size, count);
  const step = size / n;
  return Array.from({ length: n }, (_, k) => Math.floor(k * step + step / 2));
}
