import { describe, expect, it } from 'vitest';
import { addressCountryCode, isCountryCode } from './country-code.js';

// The one table of country names every provider reads addresses with (moved from the Google
// provider for CardDAV's ADR in issue 13).
describe('addressCountryCode', () => {
  it.each([
    ['Germany', 'DE'],
    ['United States', 'US'],
    ['United States of America', 'US'],
    ['U.S.A.', 'US'],
    ['Deutschland', 'DE'],
    ['  united   kingdom ', 'GB'],
    ['Côte d’Ivoire', 'CI'],
    ['Österreich', 'AT'],
    ['Bosnia & Herzegovina', 'BA'],
    ['fr', 'FR'],
    ['Atlantis', null],
    ['Un', null],
    ['', null],
  ])('reads %j as %j', (name, code) => {
    expect(addressCountryCode(undefined, name)).toBe(code);
  });

  it("prefers the source's own code when it is a country, and never takes a made-up one", () => {
    expect(addressCountryCode('us', 'Germany')).toBe('US');
    expect(addressCountryCode('ZZ', 'Germany')).toBe('DE');
    expect(addressCountryCode(null, null)).toBeNull();
    expect(isCountryCode('AQ')).toBe(true);
    expect(isCountryCode('ZZ')).toBe(false);
  });
});
