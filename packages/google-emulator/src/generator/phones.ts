import { flat } from '../flat.js';
import type { Prng } from './prng.js';

/** Countries the generator builds phone numbers and addresses for (ISO 3166-1 alpha-2). */
export type CountryCode =
  | 'US'
  | 'GB'
  | 'DE'
  | 'FR'
  | 'BR'
  | 'MX'
  | 'ES'
  | 'IT'
  | 'PL'
  | 'TR'
  | 'RU'
  | 'GR'
  | 'JP'
  | 'CN'
  | 'KR'
  | 'SA'
  | 'EG'
  | 'IL'
  | 'IN';

/**
 * One numbering plan: national significant numbers start with one of `prefixes` and have `length`
 * digits. Patterns spend one digit per `#`; literal digits in a local pattern are the trunk prefix
 * (`0`, or `8` in Russia), which E.164 drops.
 */
interface NumberPlan {
  prefixes: readonly string[];
  length: number;
  local: readonly string[];
  intl: string;
}

interface CountryPlan {
  callingCode: string;
  mobile: readonly NumberPlan[];
  landline: readonly NumberPlan[];
}

const plan = (prefixes: string, length: number, local: string, intl: string): NumberPlan => ({
  prefixes: prefixes.split(' '),
  length,
  local: local.split(' | '),
  intl,
});

const US_PREFIXES = ['212', '303', '312', '415', '512', '617', '206', '305', '404', '702']
  .flatMap((area) => ['2', '3', '4', '5', '6', '7', '8', '9'].map((d) => `${area}${d}`))
  .join(' ');
const US = plan(
  US_PREFIXES,
  10,
  '(###) ###-#### | ###-###-#### | ###.###.#### | 1 (###) ###-####',
  '+1 ###-###-####',
);

/** Hand-built plans: enough of each country's real numbering to look right in local and E.164 form. */
export const PHONE_PLANS: Readonly<Record<CountryCode, CountryPlan>> = {
  US: { callingCode: '1', mobile: [US], landline: [US] },
  GB: {
    callingCode: '44',
    mobile: [plan('7400 7500 7700 7800 7900 7300', 10, '0#### ###### | 0##########', '+44 #### ######')],
    landline: [
      plan('203 207 208', 10, '0## #### ####', '+44 ## #### ####'),
      plan('1614 1615', 10, '0### ### ####', '+44 ### ### ####'),
    ],
  },
  DE: {
    callingCode: '49',
    mobile: [
      plan('151 152 157 159', 11, '0### ######## | 0###/######## | 0###-########', '+49 ### ########'),
      plan('170 171 172 175 176 177 179', 10, '0### ####### | 0###/#######', '+49 ### #######'),
    ],
    landline: [
      plan('30 40', 10, '0## ######## | 0##/########', '+49 ## ########'),
      plan('89 69', 9, '0## ####### | 0##-#######', '+49 ## #######'),
    ],
  },
  FR: {
    callingCode: '33',
    mobile: [plan('6 7', 9, '0# ## ## ## ## | 0#.##.##.##.## | 0#########', '+33 # ## ## ## ##')],
    landline: [plan('1 2 3 4 5', 9, '0# ## ## ## ## | 0#.##.##.##.##', '+33 # ## ## ## ##')],
  },
  BR: {
    callingCode: '55',
    mobile: [
      plan(
        '1196 1197 1198 1199 2198 2199 3199 4199 5199 6199 7199 8199 8599',
        11,
        '(##) #####-####',
        '+55 ## #####-####',
      ),
    ],
    landline: [plan('112 113 213 313 412 513 613', 10, '(##) ####-####', '+55 ## ####-####')],
  },
  MX: {
    callingCode: '52',
    mobile: [plan('55 33 81', 10, '## #### #### | (##) ####-####', '+52 ## #### ####')],
    landline: [plan('55 33 81', 10, '## #### ####', '+52 ## #### ####')],
  },
  ES: {
    callingCode: '34',
    mobile: [plan('6', 9, '### ## ## ## | ### ### ###', '+34 ### ## ## ##')],
    landline: [plan('91 93', 9, '## ### ## ##', '+34 ## ### ## ##')],
  },
  IT: {
    callingCode: '39',
    mobile: [plan('320 328 333 335 338 340 347 349', 10, '### ### #### | ###-#######', '+39 ### ### ####')],
    // Italian landlines keep their leading 0 in E.164 (+39 06 ...): a classic normalization trap.
    landline: [plan('06 02', 10, '## #### ####', '+39 ## #### ####')],
  },
  PL: {
    callingCode: '48',
    mobile: [plan('50 51 53 60 66 69 72 78 79 88', 9, '### ### ###', '+48 ### ### ###')],
    landline: [plan('22 12', 9, '## ### ## ##', '+48 ## ### ## ##')],
  },
  TR: {
    callingCode: '90',
    mobile: [plan('530 532 533 542 505 555', 10, '0### ### ## ## | 0(###) ### ## ##', '+90 ### ### ## ##')],
    landline: [plan('212 216 312', 10, '0### ### ## ##', '+90 ### ### ## ##')],
  },
  RU: {
    callingCode: '7',
    mobile: [plan('9', 10, '8 (###) ###-##-## | 8 ### ### ## ##', '+7 ### ###-##-##')],
    landline: [plan('495 812', 10, '8 (###) ###-##-##', '+7 ### ###-##-##')],
  },
  GR: {
    callingCode: '30',
    mobile: [plan('69', 10, '### ### #### | ##########', '+30 ### ### ####')],
    landline: [plan('210 231', 10, '### ### ####', '+30 ### ### ####')],
  },
  JP: {
    callingCode: '81',
    mobile: [plan('90 80 70', 10, '0##-####-####', '+81 ##-####-####')],
    landline: [plan('3 6', 9, '0#-####-####', '+81 #-####-####')],
  },
  CN: {
    callingCode: '86',
    mobile: [plan('13 15 18 19', 11, '### #### #### | ###########', '+86 ### #### ####')],
    landline: [plan('10', 10, '0## #### ####', '+86 ## #### ####')],
  },
  KR: {
    callingCode: '82',
    mobile: [plan('10', 10, '0##-####-####', '+82 ##-####-####')],
    landline: [plan('2', 9, '0#-####-####', '+82 #-####-####')],
  },
  SA: {
    callingCode: '966',
    mobile: [plan('50 53 54 55 56 59', 9, '0## ### ####', '+966 ## ### ####')],
    landline: [plan('11 12', 9, '0## ### ####', '+966 ## ### ####')],
  },
  EG: {
    callingCode: '20',
    mobile: [plan('10 11 12 15', 10, '0## #### ####', '+20 ## #### ####')],
    landline: [plan('2', 9, '0# #### ####', '+20 # #### ####')],
  },
  IL: {
    callingCode: '972',
    mobile: [plan('50 52 53 54 58', 9, '0##-###-####', '+972 ##-###-####')],
    landline: [plan('3 2 4', 8, '0#-###-####', '+972 #-###-####')],
  },
  IN: {
    callingCode: '91',
    mobile: [plan('6 7 8 9', 10, '##### ##### | 0##### ##### | ##########', '+91 ##### #####')],
    landline: [plan('11 22', 10, '0## #### ####', '+91 ## #### ####')],
  },
};

/** Spends the digits of `nsn` on the `#`s of `pattern`. */
export function applyPattern(pattern: string, nsn: string): string {
  const out: string[] = [];
  let i = 0;
  for (const c of pattern) out.push(c === '#' ? (nsn[i++] ?? '') : c);
  return out.join('');
}

/** A generated number: `value` as a person would type it, `canonicalForm` its E.164 form. */
export interface GeneratedPhone {
  value: string;
  canonicalForm: string;
}

/**
 * Builds a valid-looking number of `country`: mostly in the local format, sometimes international,
 * with a `canonicalForm` that agrees with it digit for digit.
 */
export function generatePhone(rng: Prng, country: CountryCode, kind: 'mobile' | 'landline'): GeneratedPhone {
  const countryPlan = PHONE_PLANS[country];
  const numberPlan = rng.pick(kind === 'mobile' ? countryPlan.mobile : countryPlan.landline);
  const prefix = rng.pick(numberPlan.prefixes);
  const nsn = flat(prefix, rng.digits(numberPlan.length - prefix.length));
  const pattern = rng.chance(0.2) ? numberPlan.intl : rng.pick(numberPlan.local);
  return { value: applyPattern(pattern, nsn), canonicalForm: flat('+', countryPlan.callingCode, nsn) };
}
