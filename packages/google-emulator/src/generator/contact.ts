import { flat } from '../flat.js';
import type {
  Birthday,
  ContactGroup,
  DateValue,
  EmailAddress,
  Membership,
  Name,
  PersonEvent,
  PersonInput,
  PhoneNumber,
} from '../types.js';
import { generateAddress } from './addresses.js';
import { asciiSlug, LOCALES, type Locale, nameParts } from './locales.js';
import { type CountryCode, generatePhone, PHONE_PLANS } from './phones.js';
import {
  DEPARTMENTS,
  EVENT_TYPES,
  IM_PROTOCOLS,
  NICKNAMES,
  NOTES,
  ORGANIZATIONS,
  RELATION_TYPES,
  TEXT_BIRTHDAYS,
  TITLES,
  URL_KINDS,
} from './pools.js';
import type { Prng } from './prng.js';

const TOTAL_WEIGHT = LOCALES.reduce((sum, locale) => sum + locale.weight, 0);
const COUNTRIES = Object.keys(PHONE_PLANS) as CountryCode[];

/** Picks a locale by weight. */
export function pickLocale(rng: Prng): Locale {
  let ticket = rng.next() * TOTAL_WEIGHT;
  for (const locale of LOCALES) {
    ticket -= locale.weight;
    if (ticket < 0) return locale;
  }
  return LOCALES[0] as Locale;
}

/** A name drawn from `locale`, plus the Latin forms e-mail addresses are made from. */
export interface DrawnName {
  name: Name;
  latinGiven: string;
  latinFamily: string;
}

export function drawName(rng: Prng, locale: Locale): DrawnName {
  const given = nameParts(rng.pick(locale.given));
  const family = nameParts(rng.pick(locale.family));
  const name: Name = { givenName: given.native, familyName: family.native };
  if (locale.middle && rng.chance(0.12)) name.middleName = nameParts(rng.pick(locale.middle)).native;
  if (rng.chance(0.03)) name.honorificPrefix = rng.pick(['Dr.', 'Prof.', 'Mx.']);
  if (rng.chance(0.01)) name.honorificSuffix = rng.pick(['Jr.', 'III', 'PhD']);
  if (given.phonetic && family.phonetic && rng.chance(0.5)) {
    name.phoneticGivenName = given.phonetic;
    name.phoneticFamilyName = family.phonetic;
  }
  return { name, latinGiven: given.latin, latinFamily: family.latin };
}

/** A plausible address for someone called `given family` at `domain`. */
export function emailFor(rng: Prng, given: string, family: string, domain: string): string {
  const g = asciiSlug(given) || 'contact';
  const f = asciiSlug(family);
  if (!f) return flat(g, rng.int(1, 999), '@', domain);
  switch (rng.int(0, 5)) {
    case 0:
      return flat(g, '.', f, '@', domain);
    case 1:
      return flat(g[0] as string, f, '@', domain);
    case 2:
      return flat(g, f, rng.int(1, 99), '@', domain);
    case 3:
      return flat(f, '.', g, '@', domain);
    case 4:
      return flat(g, '_', f, '@', domain);
    default:
      return flat(g, rng.int(70, 99), '@', domain);
  }
}

const orgDomain = (org: string): string => {
  const slug = asciiSlug(org).slice(0, 18);
  return slug.length >= 3 ? flat(slug, '.com') : 'corp.example';
};

function date(rng: Prng, withYear: boolean): DateValue {
  const month = rng.int(1, 12);
  const year = rng.int(1940, 2012);
  // Feb 29 now and then, only in leap years (or with no year): a date parser's favourite trap.
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  const feb29 = month === 2 && rng.chance(0.2) && (leap || !withYear);
  const days = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1] as number;
  const day = feb29 ? 29 : rng.int(1, days);
  return withYear ? { year, month, day } : { month, day };
}

function birthday(rng: Prng): Birthday {
  const roll = rng.next();
  if (roll < 0.6) return { date: date(rng, true) };
  if (roll < 0.9) return { date: date(rng, false) };
  return { text: rng.pick(TEXT_BIRTHDAYS) };
}

function phones(rng: Prng, home: CountryCode): PhoneNumber[] {
  const roll = rng.next();
  const count = roll < 0.15 ? 0 : roll < 0.65 ? 1 : roll < 0.9 ? 2 : 3;
  const out: PhoneNumber[] = [];
  for (let i = 0; i < count; i++) {
    const country = i > 0 && rng.chance(0.15) ? rng.pick(COUNTRIES) : home;
    const mobile = i === 0 || rng.chance(0.3);
    const type = mobile
      ? rng.pick(['mobile', 'mobile', 'workMobile'])
      : rng.pick(['home', 'work', 'main', 'homeFax', 'other', 'Büro']);
    out.push({ ...generatePhone(rng, country, mobile ? 'mobile' : 'landline'), type });
  }
  return out;
}

function memberships(rng: Prng, userGroups: readonly ContactGroup[]): Membership[] {
  const ids = ['myContacts'];
  if (rng.chance(0.06)) ids.push('starred');
  if (rng.chance(0.01)) ids.push(rng.pick(['friends', 'family', 'coworkers']));
  if (userGroups.length > 0 && rng.chance(0.3)) {
    ids.push(rng.pick(userGroups).resourceName.slice('contactGroups/'.length));
    if (rng.chance(0.25)) ids.push(rng.pick(userGroups).resourceName.slice('contactGroups/'.length));
  }
  return [...new Set(ids)].map((id) => ({
    contactGroupMembership: { contactGroupId: id, contactGroupResourceName: `contactGroups/${id}` },
  }));
}

/** A typical contact of `locale`: the common case, with each field present at a realistic rate. */
export function draftContact(
  rng: Prng,
  userGroups: readonly ContactGroup[],
  locale = pickLocale(rng),
): PersonInput {
  const { name, latinGiven, latinFamily } = drawName(rng, locale);
  const input: PersonInput = { names: [name] };
  if (rng.chance(0.15)) input.nicknames = [{ value: rng.pick(NICKNAMES) }];

  const org = rng.chance(0.45) ? rng.pick(ORGANIZATIONS) : undefined;
  if (org) {
    input.organizations = [
      {
        name: org,
        ...(rng.chance(0.8) ? { title: rng.pick(TITLES) } : {}),
        ...(rng.chance(0.4) ? { department: rng.pick(DEPARTMENTS) } : {}),
        current: rng.chance(0.85),
        type: 'work',
      },
    ];
    if (rng.chance(0.1))
      input.organizations.push({ name: rng.pick(ORGANIZATIONS), current: false, type: 'work' });
  }

  const emailRoll = rng.next();
  const emailCount = emailRoll < 0.1 ? 0 : emailRoll < 0.65 ? 1 : emailRoll < 0.9 ? 2 : 3;
  const emails: EmailAddress[] = [];
  for (let i = 0; i < emailCount; i++) {
    const work = org !== undefined && (i > 0 || rng.chance(0.3));
    const domain = work ? orgDomain(org) : rng.pick(locale.mailDomains);
    const type = work ? 'work' : i === 0 ? 'home' : rng.pick(['other', 'home', 'School']);
    emails.push({ value: emailFor(rng, latinGiven, latinFamily, domain), type });
  }
  if (emails.length > 0) input.emailAddresses = emails;

  const phoneList = phones(rng, locale.country);
  if (phoneList.length > 0) input.phoneNumbers = phoneList;

  if (rng.chance(0.35)) {
    input.addresses = [generateAddress(rng, rng.chance(0.85) ? locale.country : rng.pick(COUNTRIES), 'home')];
    if (rng.chance(0.2))
      input.addresses.push(generateAddress(rng, rng.pick(COUNTRIES), rng.pick(['work', 'Ferienhaus'])));
  }
  if (rng.chance(0.55)) input.birthdays = [birthday(rng)];
  if (rng.chance(0.15)) {
    input.events = Array.from(
      { length: rng.int(1, 2) },
      (): PersonEvent => ({
        date: date(rng, rng.chance(0.8)),
        type: rng.pick(EVENT_TYPES),
      }),
    );
  }
  const slug = `${asciiSlug(latinGiven)}${asciiSlug(latinFamily)}` || `user${rng.digits(4)}`;
  if (rng.chance(0.15)) {
    const [type, template] = rng.pick(URL_KINDS);
    const value = template
      .replaceAll('{slug}', slug)
      .replace('{org}', asciiSlug(org ?? 'example') || 'example');
    input.urls = [{ value, type }];
  }
  if (rng.chance(0.08)) {
    input.imClients = [
      { username: `${slug}${rng.int(1, 99)}`, protocol: rng.pick(IM_PROTOCOLS), type: 'home' },
    ];
  }
  if (rng.chance(0.08)) {
    const other = drawName(rng, locale).name;
    input.relations = [{ person: `${other.givenName} ${other.familyName}`, type: rng.pick(RELATION_TYPES) }];
  }
  if (rng.chance(0.08)) input.biographies = [{ value: rng.pick(NOTES), contentType: 'TEXT_PLAIN' }];
  if (rng.chance(0.15)) {
    const value = rng.pick(['female', 'male', 'unspecified']);
    input.genders = [{ value, formattedValue: value[0]?.toUpperCase() + value.slice(1) }];
  }
  if (rng.chance(0.03)) input.userDefined = [{ key: 'Shirt size', value: rng.pick(['S', 'M', 'L', 'XL']) }];
  if (rng.chance(0.02)) input.sipAddresses = [{ value: `sip:${slug}@voip.example.com`, type: 'work' }];
  input.photos = [photo(rng)];
  input.memberships = memberships(rng, userGroups);
  return input;
}

/** A photo: mostly Google's generated placeholder (`default: true`), sometimes a real picture. */
export function photo(rng: Prng, placeholderRate = 0.75) {
  return rng.chance(placeholderRate)
    ? { url: flat('https://lh3.googleusercontent.com/cm/', rng.base64url(43), '=s100'), default: true }
    : { url: flat('https://lh3.googleusercontent.com/contacts/', rng.base64url(60), '=s100') };
}

/** An entry of "Other contacts": someone you e-mailed, rarely more than an address and a name. */
export function draftOtherContact(rng: Prng): PersonInput {
  const locale = pickLocale(rng);
  const { name, latinGiven, latinFamily } = drawName(rng, locale);
  const input: PersonInput = {};
  if (rng.chance(0.55))
    input.names = [rng.chance(0.8) ? name : { displayName: `${latinGiven} from Accounting` }];
  input.emailAddresses = [{ value: emailFor(rng, latinGiven, latinFamily, rng.pick(locale.mailDomains)) }];
  if (rng.chance(0.1))
    input.emailAddresses.push({ value: emailFor(rng, latinGiven, latinFamily, 'example.org') });
  if (rng.chance(0.1)) input.phoneNumbers = [generatePhone(rng, locale.country, 'mobile')];
  input.photos = [photo(rng, 0.95)];
  return input;
}
