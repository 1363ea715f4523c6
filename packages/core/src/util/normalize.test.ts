import { describe, expect, it } from 'vitest';
import {
  isoCountry,
  normalizeEmail,
  normalizePhone,
  normalizeUsername,
  normalizeWebsite,
} from './normalize.js';

describe('normalize', () => {
  it('matches phones typed differently by their E.164 form (prior-art #10)', () => {
    expect(normalizePhone('+1 303-828-8765')).toBe('+13038288765');
    expect(normalizePhone('(303) 828-8765', null, 'US')).toBe('+13038288765');
    expect(normalizePhone('(303) 828-8765', '+13038288765')).toBe('+13038288765');
    expect(normalizePhone('030 1234567', '+49301234567')).toBe('+49301234567');
  });

  it('falls back to digits, keeping a typed +', () => {
    expect(normalizePhone('ext. 12')).toBe('12');
    expect(normalizePhone('+99 (0) 12')).toBe('+99012');
    expect(normalizePhone('(303) 828-8765')).toBe('3038288765');
  });

  it('lower-cases emails, websites and usernames', () => {
    expect(normalizeEmail(' Ada@Example.ORG ')).toBe('ada@example.org');
    expect(normalizeWebsite('HTTPS://Example.com/A')).toBe('https://example.com/a');
    expect(normalizeUsername(' Skype', 'Ada.L ')).toBe('skype:ada.l');
  });

  it('turns only real ISO codes into a country, never a truncated name (prior-art #11)', () => {
    expect(isoCountry('us')).toBe('US');
    expect(isoCountry(' DE ')).toBe('DE');
    expect(isoCountry('United States')).toBeNull();
    expect(isoCountry('USA')).toBeNull();
    expect(isoCountry(null)).toBeNull();
    expect(isoCountry(undefined)).toBeNull();
  });
});
