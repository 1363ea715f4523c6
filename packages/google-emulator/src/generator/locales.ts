import type { CountryCode } from './phones.js';

/**
 * A naming culture: its scripts, name pools, home country and usual mail providers. Entries of
 * non-Latin pools are `native|latin` (plus `|kana` for Japanese phonetic names): the Latin form
 * builds plausible e-mail addresses, as people with such names really use.
 */
export interface Locale {
  id: string;
  country: CountryCode;
  weight: number;
  given: readonly string[];
  family: readonly string[];
  /** Patronymics or second given names, used now and then as `middleName`. */
  middle?: readonly string[];
  /** CJK order: family name first, no comma in `displayNameLastFirst`. */
  familyFirst?: boolean;
  mailDomains: readonly string[];
}

const words = (text: string): string[] => text.trim().split(/\s+/);

export const LOCALES: readonly Locale[] = [
  {
    id: 'en-US',
    country: 'US',
    weight: 22,
    given: words(`James Mary Robert Patricia John Jennifer Michael Linda David Elizabeth William Barbara Emily
      Daniel Olivia Noah Ava Ethan Sophia Liam Harper Mason Chloe Lucas Zoë DeShawn Aaliyah José`),
    family: words(`Smith Johnson Williams Brown Jones Garcia Miller Davis Rodriguez Martinez Hernandez Lopez
      Wilson Anderson Thomas Taylor Moore Jackson Martin Lee Thompson White O'Brien McAllister Nguyen`),
    middle: words('Ann Lee Marie James Grace Ray'),
    mailDomains: words('gmail.com outlook.com yahoo.com icloud.com hotmail.com proton.me'),
  },
  {
    id: 'en-GB',
    country: 'GB',
    weight: 9,
    given: words(
      'Oliver Amelia George Isla Harry Ava Jack Mia Charlie Poppy Alfie Freya Siobhan Niamh Rhys Eilidh',
    ),
    family: words(`Smith Jones Taylor Brown Williams Wilson Evans Thomas Roberts Walker Wright Hughes Edwards
      Ó_Briain Fitzgerald-Hughes ap_Rhys`).map((n) => n.replace('_', ' ')),
    mailDomains: words('gmail.com outlook.com btinternet.com yahoo.co.uk sky.com'),
  },
  {
    id: 'de-DE',
    country: 'DE',
    weight: 9,
    given: words(
      'Jürgen Björn Günther Lukas Anna Sophie Mia Leonie Jörg Käthe Maximilian Hannah Felix Lea Uwe Renée',
    ),
    family:
      words(`Müller Schmidt Schneider Fischer Weber Meyer Wagner Becker Schulz Hoffmann Schäfer Koch Bauer
      Weiß Groß Krüger Möller von_Bülow`).map((n) => n.replace('_', ' ')),
    mailDomains: words('gmx.de web.de t-online.de gmail.com posteo.de'),
  },
  {
    id: 'fr-FR',
    country: 'FR',
    weight: 7,
    given: words(
      'François Zoé Hélène Amélie Léa Chloé Gaël Noël Jérôme Loïc Cécile Margaux Théo Raphaël Élodie Benoît',
    ),
    family: words(`Martin Bernard Dubois Thomas Robert Richard Petit Durand Leroy Moreau Lefèvre Girard Bonnet
      Dupont Lambert Fontaine Rousseau d'Aubigné`),
    middle: words('Marie Pierre Anne Louis'),
    mailDomains: words('orange.fr free.fr laposte.net gmail.com sfr.fr'),
  },
  {
    id: 'pt-BR',
    country: 'BR',
    weight: 6,
    given: words(
      'João Conceição Ana Maria José Luíza Thiago Júlia Letícia Vinícius Caio Beatriz Rafael Fernanda',
    ),
    family: words('Silva Santos Oliveira Souza Rodrigues Ferreira Alves Pereira Lima Gomes Araújo Magalhães'),
    middle: words('Carolina Eduardo Cristina Henrique'),
    mailDomains: words('gmail.com uol.com.br bol.com.br hotmail.com'),
  },
  {
    id: 'es-MX',
    country: 'MX',
    weight: 4,
    given: words('José María Jesús Guadalupe Alejandro Sofía Ximena Iñaki Begoña Nuria Andrés Valentina'),
    family: words('García Hernández López Martínez González Pérez Sánchez Ramírez Núñez Muñoz Peña Ibáñez'),
    mailDomains: words('gmail.com hotmail.com yahoo.com.mx outlook.com'),
  },
  {
    id: 'es-ES',
    country: 'ES',
    weight: 3,
    given: words('Lucía Hugo Martina Pablo Paula Álvaro Irene Javier Ángela Íñigo'),
    family: words('García Fernández González Rodríguez López Martínez Sánchez Pérez Gómez Jiménez Muñoz'),
    mailDomains: words('gmail.com hotmail.es yahoo.es telefonica.net'),
  },
  {
    id: 'it-IT',
    country: 'IT',
    weight: 3,
    given: words('Giuseppe Giulia Niccolò Francesca Lorenzo Chiara Matteo Alessia Andrea Federica'),
    family: words("Rossi Russo Ferrari Esposito Bianchi Romano Colombo Ricci De_Luca D'Angelo").map((n) =>
      n.replace('_', ' '),
    ),
    mailDomains: words('libero.it gmail.com tiscali.it virgilio.it'),
  },
  {
    id: 'pl-PL',
    country: 'PL',
    weight: 3,
    given: words('Łukasz Paweł Agnieszka Małgorzata Wojciech Zofia Michał Katarzyna Jędrzej Żaneta'),
    family: words(
      'Nowak Kowalski Wiśniewski Wójcik Kamiński Lewandowski Zieliński Szymańska Dąbrowski Woźniak',
    ),
    mailDomains: words('wp.pl onet.pl gmail.com interia.pl o2.pl'),
  },
  {
    id: 'tr-TR',
    country: 'TR',
    weight: 3,
    given: words('Çağla Şebnem Oğuz İbrahim Gökhan Ayşe Ömer Elif Özge Barış'),
    family: words('Yılmaz Kaya Demir Şahin Çelik Yıldız Öztürk Aydın Özdemir Arslan'),
    mailDomains: words('gmail.com hotmail.com yandex.com.tr'),
  },
  {
    id: 'ru-RU',
    country: 'RU',
    weight: 5,
    given:
      words(`Иван|ivan Мария|maria Алексей|aleksei Ольга|olga Дмитрий|dmitri Наталья|natalia Сергей|sergei
      Екатерина|ekaterina Юлия|yulia Михаил|mikhail Анастасия|anastasia Пётр|pyotr`),
    family: words(`Иванов|ivanov Петров|petrov Смирнов|smirnov Кузнецов|kuznetsov Попов|popov Соколов|sokolov
      Лебедев|lebedev Новиков|novikov Морозов|morozov Волков|volkov`),
    middle: words('Иванович|ivanovich Сергеевна|sergeevna Александрович|aleksandrovich Петровна|petrovna'),
    mailDomains: words('mail.ru yandex.ru gmail.com rambler.ru'),
  },
  {
    id: 'el-GR',
    country: 'GR',
    weight: 3,
    given: words(`Γιώργος|giorgos Μαρία|maria Νίκος|nikos Ελένη|eleni Κώστας|kostas Δήμητρα|dimitra
      Γιάννης|giannis Σοφία|sofia Αθανάσιος|athanasios Βασιλική|vasiliki`),
    family: words(`Παπαδόπουλος|papadopoulos Παπαδάκης|papadakis Οικονόμου|oikonomou Γεωργίου|georgiou
      Νικολάου|nikolaou Βασιλείου|vasileiou Αντωνίου|antoniou Καραγιάννης|karagiannis`),
    mailDomains: words('gmail.com yahoo.gr otenet.gr'),
  },
  {
    id: 'ja-JP',
    country: 'JP',
    weight: 5,
    familyFirst: true,
    given: words(`太郎|taro|たろう 花子|hanako|はなこ 翔太|shota|しょうた 陽菜|hina|ひな 大輔|daisuke|だいすけ
      美咲|misaki|みさき 健|ken|けん 愛|ai|あい 蓮|ren|れん 結衣|yui|ゆい`),
    family:
      words(`山田|yamada|やまだ 佐藤|sato|さとう 鈴木|suzuki|すずき 高橋|takahashi|たかはし 田中|tanaka|たなか
      渡辺|watanabe|わたなべ 伊藤|ito|いとう 中村|nakamura|なかむら 小林|kobayashi|こばやし`),
    mailDomains: words('gmail.com yahoo.co.jp docomo.ne.jp icloud.com'),
  },
  {
    id: 'zh-CN',
    country: 'CN',
    weight: 4,
    familyFirst: true,
    given: words(
      '伟|wei 芳|fang 娜|na 秀英|xiuying 敏|min 静|jing 强|qiang 磊|lei 洋|yang 艳|yan 子轩|zixuan 梓涵|zihan',
    ),
    family: words('王|wang 李|li 张|zhang 刘|liu 陈|chen 杨|yang 黄|huang 赵|zhao 周|zhou 吴|wu 欧阳|ouyang'),
    mailDomains: words('qq.com 163.com 126.com sina.com gmail.com'),
  },
  {
    id: 'ko-KR',
    country: 'KR',
    weight: 2,
    familyFirst: true,
    given: words('민준|minjun 서연|seoyeon 지호|jiho 하은|haeun 도윤|doyun 지우|jiwoo'),
    family: words('김|kim 이|lee 박|park 최|choi 정|jung 강|kang'),
    mailDomains: words('naver.com daum.net gmail.com'),
  },
  {
    id: 'ar-SA',
    country: 'SA',
    weight: 3,
    given: words(`محمد|mohammed أحمد|ahmed فاطمة|fatima علي|ali مريم|maryam يوسف|youssef نور|nour خالد|khaled
      ليلى|layla عمر|omar شاهد|shahed`),
    family: words(`العلي|alali حداد|haddad الشمري|alshammari منصور|mansour خوري|khoury الحسيني|alhusseini
      ناصر|nasser مشني|mashni`),
    mailDomains: words('gmail.com hotmail.com outlook.sa'),
  },
  {
    id: 'ar-EG',
    country: 'EG',
    weight: 2,
    given: words('مصطفى|mostafa هبة|heba كريم|karim ياسمين|yasmin طارق|tarek سلمى|salma'),
    family: words('عبد_الله|abdallah السيد|elsayed حسن|hassan إبراهيم|ibrahim فؤاد|fouad').map((n) =>
      n.replace('_', ' '),
    ),
    mailDomains: words('gmail.com yahoo.com hotmail.com'),
  },
  {
    id: 'he-IL',
    country: 'IL',
    weight: 3,
    given: words('דוד|david שרה|sarah יוסף|yosef מיכל|michal אברהם|avraham נועה|noa משה|moshe תמר|tamar'),
    family: words('כהן|cohen לוי|levi מזרחי|mizrahi פרץ|peretz ביטון|biton פרידמן|friedman אזולאי|azoulay'),
    mailDomains: words('gmail.com walla.co.il 012.net.il'),
  },
  {
    id: 'hi-IN',
    country: 'IN',
    weight: 3,
    given: words(
      'राहुल|rahul प्रिया|priya अमित|amit सुनीता|sunita विजय|vijay अंजलि|anjali अर्जुन|arjun दीपिका|deepika',
    ),
    family: words('शर्मा|sharma वर्मा|verma गुप्ता|gupta सिंह|singh पटेल|patel कुमार|kumar जोशी|joshi'),
    mailDomains: words('gmail.com rediffmail.com yahoo.co.in'),
  },
  {
    id: 'en-IN',
    country: 'IN',
    weight: 4,
    given: words('Priya Rahul Aarav Ananya Vihaan Saanvi Rohan Kavya Aditya Ishaan Lakshmi'),
    family: words('Sharma Patel Iyer Reddy Nair Menon Khan Chatterjee Banerjee Krishnamurthy'),
    mailDomains: words('gmail.com yahoo.in outlook.com'),
  },
];

const partsCache = new Map<string, { native: string; latin: string; phonetic?: string }>();
const slugCache = new Map<string, string>();

/** The parts of a pool entry: the name as written, its Latin form, and a phonetic form if known. */
export function nameParts(entry: string): { native: string; latin: string; phonetic?: string } {
  let parts = partsCache.get(entry);
  if (!parts) {
    const [native = '', latin, phonetic] = entry.split('|');
    parts = { native, latin: latin ?? native, ...(phonetic ? { phonetic } : {}) };
    partsCache.set(entry, parts);
  }
  return parts;
}

/** ASCII for e-mail local parts: drops diacritics, apostrophes and spaces (`Müller` -> `muller`). */
export function asciiSlug(text: string): string {
  // Names come from small pools: memoized, the Unicode normalization runs once per name.
  let slug = slugCache.get(text);
  if (slug === undefined) {
    slug = text
      .replace(/ß/g, 'ss')
      .replace(/[łŁ]/g, 'l')
      .replace(/ı/g, 'i')
      .normalize('NFD')
      .replace(/[^A-Za-z0-9]/g, '')
      .toLowerCase();
    if (slugCache.size < 10_000) slugCache.set(text, slug);
  }
  return slug;
}
