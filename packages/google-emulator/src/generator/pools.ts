// Word pools for the non-name fields. Fictional companies, in the scripts of the locales.

const list = (text: string): string[] => text.split(' | ');

export const ORGANIZATIONS = list(
  "Acme Corp | Globex Corporation | Initech | Umbrella Logistics | Müller & Söhne KG | Bäckerei Schröder | Café de l'Étoile | " +
    '株式会社山田製作所 | ООО «Ромашка» | شركة النور للتجارة | Sundaram Software Pvt. Ltd. | Construtora Horizonte Ltda. | ' +
    'Taller Hernández S.A. de C.V. | Ελληνική Ναυτιλιακή Α.Ε. | Universität Heidelberg | Northwind Traders | ' +
    'Contoso Ltd | Fabrikam, Inc. | 上海明星科技有限公司 | מעבדות גלבוע בע"מ | Zakład Usług Wodnych Sp. z o.o. | Studio Ørsted ApS',
);

export const TITLES = list(
  'Senior Engineer | Product Manager | CEO | Ärztin | Lehrer | Designer | Sales Director | Consultant | ' +
    'Head of Marketing | Professor | Nurse | Software Developer | Rechtsanwältin | Ingénieure | エンジニア | Менеджер | Founder',
);

export const DEPARTMENTS = list(
  'Engineering | Sales | Marketing | Finance | HR | Legal | Research | Vertrieb | Direction',
);

export const NICKNAMES = list(
  'Bobby | Liz | Sasha | Jojo | Kiki | Mimi | Tom | Dani | Nico | Pepe | Lulu | Kátia | Сашa | 小明',
);

export const EVENT_TYPES = list(
  'anniversary | other | Graduation | Name day | Hochzeitstag | Kennenlerntag | 結婚記念日',
);

export const IM_PROTOCOLS = list(
  'skype | googleTalk | jabber | qq | icq | aim | Telegram | Signal | WhatsApp | Threema',
);

export const URL_KINDS: readonly (readonly [type: string, template: string])[] = [
  ['homePage', 'https://{slug}.example.com'],
  ['blog', 'https://blog.{slug}.dev'],
  ['profile', 'https://www.linkedin.com/in/{slug}'],
  ['work', 'https://www.{org}.example/team/{slug}'],
  ['GitHub', 'https://github.com/{slug}'],
  ['other', 'http://{slug}.example.org/~{slug}'],
];

export const RELATION_TYPES = list(
  'spouse | child | mother | father | sister | brother | friend | assistant | partner',
);

export const NOTES = list(
  'Met at the conference in Lisbon. | Allergic to peanuts! | Prefers Signal over e-mail. | ' +
    'Kennt sich mit Steuern aus. | 紹介者: 佐藤さん | Owes me a book (Dune). | Call after 6pm, not before.',
);

export const USER_GROUP_NAMES = list(
  'Climbing club | Family | Book club | Work – Acme | Neighbours | Kita-Eltern | 大学の友達 | Волейбол | 🎸 Band | ' +
    'Ski trip 2019 | Ex-colleagues | Hochzeit 2023 | Volunteers | Parents (school)',
);

export const TEXT_BIRTHDAYS = list(
  '12 April | early June | 4/12 | 1er mai | sometime in spring | 24.12. | 十月',
);

export const UNPARSEABLE_PHONES = list(
  'ext. 4711 | ask for Maria at reception | 112 | call via switchboard | 0',
);

export const EMOJI_NAMES: readonly (readonly [given: string, family: string])[] = [
  ['Anna 🦄', 'Schmidt'],
  ['Mom ❤️', ''],
  ['👩‍💻 Priya', 'Patel'],
  ['Klaus 🇩🇪', 'Becker'],
  ['🎸', 'Band Manager'],
  ['Zoë ✨', "O'Neill"],
];

/** About 2,000 characters of note-like text, the kind people paste into a name or company field. */
export function longText(seedWord: string): string {
  const sentence = `${seedWord}: call back about the invoice, bring the spare key, ask about the flat in Köln. `;
  return sentence.repeat(Math.ceil(2000 / sentence.length)).slice(0, 2000);
}
