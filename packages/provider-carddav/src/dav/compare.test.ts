import { describe, expect, it } from 'vitest';
import { normalizeEtag, sameEtag } from './etag.js';
import { normalizeHref } from './href.js';
import { findProp, parseMultistatus } from './multistatus.js';
import { NS } from './namespaces.js';

describe('ETags', () => {
  it('compares quoted, unquoted and weak spellings as one (groupoffice#556)', () => {
    expect(sameEtag('"v1"', 'v1')).toBe(true);
    expect(sameEtag('W/"v1"', '"v1"')).toBe(true);
    expect(sameEtag('"v1"', '"v2"')).toBe(false);
    expect(sameEtag(null, 'v1')).toBe(false);
    expect(normalizeEtag(' "a b" ')).toBe('a b');
  });
});

describe('hrefs', () => {
  const base = new URL('https://dav.example.org/books/');
  it('compares absolute and path hrefs, @ and %40, with or without a trailing slash, as one', () => {
    const key = normalizeHref('/a@b/1.vcf', base);
    expect(normalizeHref('https://dav.example.org/a%40b/1.vcf', base)).toBe(key);
    expect(normalizeHref('/a%40b/1.vcf/', base)).toBe(key);
    expect(normalizeHref('/a%40b/2.vcf', base)).not.toBe(key);
    expect(normalizeHref('../a@b/1.vcf', base)).toBe(key);
  });

  it('keeps a segment with a stray % as written', () => {
    expect(normalizeHref('/a%zz/1.vcf', base)).toBe('https://dav.example.org/a%zz/1.vcf');
  });
});

describe('multistatus', () => {
  it('reads any prefix (d:, D:, a default namespace) and keeps text as text', () => {
    const body = `<?xml version="1.0"?>
<multistatus xmlns="DAV:"><response><href> /b/ </href><propstat><prop>
<getctag xmlns="http://calendarserver.org/ns/">00042</getctag><X:sync-token xmlns:X="DAV:">1e10</X:sync-token>
<card:address-data xmlns:card="urn:ietf:params:xml:ns:carddav">BEGIN:VCARD&#13;
FN:A &amp; B&#13;
END:VCARD&#13;
</card:address-data></prop><status>HTTP/1.1 200 OK</status></propstat></response></multistatus>`;
    const [response] = parseMultistatus(body).responses;
    expect(response?.href).toBe('/b/');
    expect(findProp(response!, NS.calendarServer, 'getctag')?.text).toBe('00042');
    expect(findProp(response!, NS.dav, 'sync-token')?.text).toBe('1e10');
    expect(findProp(response!, NS.carddav, 'address-data')?.text).toBe(
      'BEGIN:VCARD\r\nFN:A & B\r\nEND:VCARD\r\n',
    );
  });

  it('fails TEMPORARY on a body that is not a multistatus', () => {
    expect(() => parseMultistatus('<html><body>proxy error</body></html>')).toThrow(
      expect.objectContaining({ code: 'TEMPORARY' }),
    );
  });
});
