import type { Address } from '../types.js';
import type { CountryCode } from './phones.js';
import type { Prng } from './prng.js';

type Layout = 'us' | 'gb' | 'eu' | 'br' | 'in' | 'east-asia' | 'rtl';

interface AddressPlan {
  /** What people type as the country: the English name first, then local names. */
  names: readonly string[];
  /** `{n}` is a house number. */
  streets: readonly string[];
  /** [city, region, postal pattern]: `#` a digit, `@` an upper-case letter. */
  cities: readonly (readonly [string, string, string])[];
  extended: readonly string[];
  layout: Layout;
}

const list = (text: string): string[] => text.split(' | ');
const cities = (text: string): [string, string, string][] =>
  list(text).map((entry) => entry.split(' ; ') as [string, string, string]);

const PLANS: Readonly<Record<CountryCode, AddressPlan>> = {
  US: {
    names: list('United States | USA | United States of America'),
    streets: list(
      '{n} Main St | {n} Oak Ave | {n} Maple Dr | {n} Sunset Blvd | {n} Elm Street | {n} Pine Ln',
    ),
    cities: cities(
      'Springfield ; IL ; 627## | Denver ; CO ; 802## | Austin ; TX ; 787## | Seattle ; WA ; 981## | Boston ; MA ; 021## | New York ; NY ; 100## | San Francisco ; CA ; 941##',
    ),
    extended: list('Apt 4B | Suite 200 | Unit 12 | Apt. 1107'),
    layout: 'us',
  },
  GB: {
    names: list('United Kingdom | UK | Great Britain'),
    streets: list(
      '{n} High Street | {n} Station Road | {n} Church Lane | {n} Victoria Road | {n} Queen’s Gate',
    ),
    cities: cities(
      'London ;  ; SW# #@@ | London ;  ; EC#@ #@@ | Manchester ;  ; M# #@@ | Edinburgh ; Scotland ; EH# #@@ | Cardiff ; Wales ; CF## #@@',
    ),
    extended: list('Flat 3 | Flat 12b | The Old Rectory'),
    layout: 'gb',
  },
  DE: {
    names: list('Germany | Deutschland'),
    streets: list(
      'Hauptstraße {n} | Bahnhofstraße {n} | Schloßallee {n} | Am Mühlenbach {n}a | Königsweg {n}',
    ),
    cities: cities(
      'Berlin ; Berlin ; 10### | München ; Bayern ; 80### | Hamburg ; Hamburg ; 20### | Köln ; Nordrhein-Westfalen ; 50### | Düsseldorf ; Nordrhein-Westfalen ; 40###',
    ),
    extended: list('2. OG | Hinterhaus | c/o Schröder'),
    layout: 'eu',
  },
  FR: {
    names: list('France'),
    streets: list(
      "{n} rue de la Paix | {n} avenue des Champs-Élysées | {n} boulevard Saint-Germain | {n} place de l'Église",
    ),
    cities: cities(
      "Paris ; Île-de-France ; 750## | Lyon ; Auvergne-Rhône-Alpes ; 6900# | Marseille ; Provence-Alpes-Côte d'Azur ; 130##",
    ),
    extended: list('Bâtiment B | 3e étage | Résidence Les Tilleuls'),
    layout: 'eu',
  },
  BR: {
    names: list('Brazil | Brasil'),
    streets: list(
      'Avenida Paulista, {n} | Rua Oscar Freire, {n} | Rua das Flores, {n} | Avenida Atlântica, {n}',
    ),
    cities: cities(
      'São Paulo ; SP ; 01###-### | Rio de Janeiro ; RJ ; 22###-### | Belo Horizonte ; MG ; 30###-### | Brasília ; DF ; 70###-###',
    ),
    extended: list('Apto 101 | Bloco C | Conjunto 42'),
    layout: 'br',
  },
  MX: {
    names: list('Mexico | México'),
    streets: list('Av. Insurgentes Sur {n} | Calle Madero {n} | Paseo de la Reforma {n}'),
    cities: cities('Ciudad de México ; CDMX ; 06### | Guadalajara ; Jal. ; 44### | Monterrey ; N.L. ; 64###'),
    extended: list('Depto. 3 | Piso 2'),
    layout: 'eu',
  },
  ES: {
    names: list('Spain | España'),
    streets: list('Calle Mayor, {n} | Gran Vía, {n} | Calle de Alcalá, {n} | Passeig de Gràcia, {n}'),
    cities: cities('Madrid ; Madrid ; 280## | Barcelona ; Cataluña ; 080## | Sevilla ; Andalucía ; 410##'),
    extended: list('3º B | Ático'),
    layout: 'eu',
  },
  IT: {
    names: list('Italy | Italia'),
    streets: list('Via Roma {n} | Via del Corso {n} | Corso Vittorio Emanuele II {n} | Piazza Navona {n}'),
    cities: cities('Roma ; RM ; 001## | Milano ; MI ; 201## | Napoli ; NA ; 801## | Firenze ; FI ; 501##'),
    extended: list('Scala B | Interno 7'),
    layout: 'eu',
  },
  PL: {
    names: list('Poland | Polska'),
    streets: list('ul. Marszałkowska {n} | ul. Floriańska {n} | ul. Piotrkowska {n}'),
    cities: cities(
      'Warszawa ; mazowieckie ; 00-### | Kraków ; małopolskie ; 31-### | Łódź ; łódzkie ; 90-###',
    ),
    extended: list('m. 14 | lok. 3'),
    layout: 'eu',
  },
  TR: {
    names: list('Turkey | Türkiye'),
    streets: list('İstiklal Caddesi No:{n} | Bağdat Caddesi No:{n} | Atatürk Bulvarı No:{n}'),
    cities: cities('İstanbul ; İstanbul ; 34### | Ankara ; Ankara ; 06### | İzmir ; İzmir ; 35###'),
    extended: list('Daire 5 | Kat 3'),
    layout: 'eu',
  },
  RU: {
    names: list('Russia | Россия'),
    streets: list('ул. Тверская, д. {n} | Невский проспект, д. {n} | ул. Арбат, д. {n}'),
    cities: cities(
      'Москва ; Москва ; 1##### | Санкт-Петербург ; Санкт-Петербург ; 19#### | Новосибирск ; Новосибирская область ; 630###',
    ),
    extended: list('кв. 12 | корп. 2'),
    layout: 'gb',
  },
  GR: {
    names: list('Greece | Ελλάδα'),
    streets: list('Οδός Ερμού {n} | Λεωφόρος Βασιλίσσης Σοφίας {n} | Οδός Αιόλου {n}'),
    cities: cities('Αθήνα ; Αττική ; 105 ## | Θεσσαλονίκη ; Κεντρική Μακεδονία ; 546 ##'),
    extended: list('2ος όροφος'),
    layout: 'eu',
  },
  JP: {
    names: list('Japan | 日本'),
    streets: list('千代田{n}-1 | 丸の内{n}-4-1 | 梅田{n}-2-2'),
    cities: cities(
      '千代田区 ; 東京都 ; 100-00## | 大阪市北区 ; 大阪府 ; 530-00## | 京都市中京区 ; 京都府 ; 604-8###',
    ),
    extended: list('グランドタワー 12階 | 201号室'),
    layout: 'east-asia',
  },
  CN: {
    names: list('China | 中国'),
    streets: list('建国路{n}号 | 南京路{n}号 | 中山路{n}号'),
    cities: cities('朝阳区 ; 北京市 ; 1000## | 黄浦区 ; 上海市 ; 2000## | 天河区 ; 广东省 ; 5106##'),
    extended: list('3单元 502室 | A座 1201'),
    layout: 'east-asia',
  },
  KR: {
    names: list('South Korea | 대한민국'),
    streets: list('세종대로 {n} | 테헤란로 {n}'),
    cities: cities('중구 ; 서울특별시 ; 04### | 해운대구 ; 부산광역시 ; 48###'),
    extended: list('101동 1203호'),
    layout: 'east-asia',
  },
  SA: {
    names: list('Saudi Arabia | المملكة العربية السعودية'),
    streets: list('طريق الملك فهد {n} | شارع العليا {n}'),
    cities: cities('الرياض ; منطقة الرياض ; 12### | جدة ; منطقة مكة المكرمة ; 23###'),
    extended: list('الطابق 3'),
    layout: 'rtl',
  },
  EG: {
    names: list('Egypt | مصر'),
    streets: list('شارع التحرير {n} | شارع الهرم {n}'),
    cities: cities('القاهرة ; القاهرة ; 11### | الإسكندرية ; الإسكندرية ; 21###'),
    extended: list('شقة 4'),
    layout: 'rtl',
  },
  IL: {
    names: list('Israel | ישראל'),
    streets: list('רחוב הרצל {n} | שדרות רוטשילד {n} | רחוב דיזנגוף {n}'),
    cities: cities(
      'תל אביב-יפו ; מחוז תל אביב ; 61##### | ירושלים ; מחוז ירושלים ; 91##### | חיפה ; מחוז חיפה ; 31#####',
    ),
    extended: list('דירה 7'),
    layout: 'rtl',
  },
  IN: {
    names: list('India | भारत'),
    streets: list('{n}, MG Road | {n}, Linking Road | {n}, Park Street | {n}/2, Anna Salai'),
    cities: cities(
      'Bengaluru ; Karnataka ; 5600## | Mumbai ; Maharashtra ; 4000## | New Delhi ; Delhi ; 1100## | Chennai ; Tamil Nadu ; 6000##',
    ),
    extended: list('Flat 302, Prestige Towers | 2nd Floor'),
    layout: 'in',
  },
};

const UPPER = [...'ABCDEFGHJKLMNPQRSTUVWXYZ'];

function fillPostal(rng: Prng, pattern: string): string {
  const out: string[] = [];
  for (const c of pattern) out.push(c === '#' ? String(rng.int(0, 9)) : c === '@' ? rng.pick(UPPER) : c);
  return out.join('');
}

function formatted(layout: Layout, a: Address): string {
  const street = [a.streetAddress, a.extendedAddress].filter(Boolean).join('\n');
  const lines: (string | undefined)[] = (() => {
    switch (layout) {
      case 'us':
        return [street, `${a.city}, ${a.region} ${a.postalCode}`];
      case 'gb':
        return [street, a.city, a.region, a.postalCode];
      case 'br':
        return [street, `${a.city} - ${a.region}`, a.postalCode];
      case 'in':
        return [street, `${a.city}, ${a.region} ${a.postalCode}`];
      case 'east-asia':
        return [`〒${a.postalCode}`, `${a.region}${a.city}${a.streetAddress}`, a.extendedAddress];
      default:
        return [street, `${a.postalCode} ${a.city}`];
    }
  })();
  return [...lines, a.country].filter(Boolean).join('\n');
}

/** A plausible postal address in `country`, with its ISO `countryCode` and a typed country name. */
export function generateAddress(rng: Prng, country: CountryCode, type: string): Address {
  const plan = PLANS[country];
  const [city, region, postal] = rng.pick(plan.cities);
  const address: Address = {
    type,
    streetAddress: rng.pick(plan.streets).replace('{n}', String(rng.int(1, 250))),
  };
  if (rng.chance(0.2)) address.extendedAddress = rng.pick(plan.extended);
  address.city = city;
  if (region) address.region = region;
  address.postalCode = fillPostal(rng, postal);
  // The English name most of the time; the local one otherwise, which is what breaks code that
  // derives the country from the name instead of `countryCode`.
  address.country = rng.chance(0.7) ? (plan.names[0] as string) : rng.pick(plan.names);
  address.countryCode = country;
  return { formattedValue: formatted(plan.layout, address), ...address };
}
