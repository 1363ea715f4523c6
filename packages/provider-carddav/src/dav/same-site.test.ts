import { describe, expect, it } from 'vitest';
import { registrableDomain, sameSite } from './same-site.js';

const u = (s: string) => new URL(s);

describe('sameSite', () => {
  it("keeps iCloud's partition hosts on the site of contacts.icloud.com", () => {
    expect(
      sameSite(u('https://contacts.icloud.com/'), u('https://p01-contacts.icloud.com/123/carddavhome/')),
    ).toBe(true);
    expect(sameSite(u('https://p42-contacts.icloud.com/'), u('https://contacts.icloud.com/'))).toBe(true);
  });

  it('treats another registrable domain, scheme or port as another site', () => {
    expect(sameSite(u('https://dav.example.com/'), u('https://dav.example.org/'))).toBe(false);
    expect(sameSite(u('https://contacts.icloud.com/'), u('https://icloud.com.evil.net/'))).toBe(false);
    expect(sameSite(u('https://dav.example.com/'), u('http://dav.example.com/'))).toBe(false);
    expect(sameSite(u('https://dav.example.com/'), u('https://dav.example.com:8443/'))).toBe(false);
    expect(sameSite(u('https://dav.example.com/'), u('https://dav.example.com:443/x'))).toBe(true);
  });

  it('never joins two registrable domains under a country second level (co.uk)', () => {
    expect(sameSite(u('https://example.co.uk/'), u('https://evil.co.uk/'))).toBe(false);
    expect(sameSite(u('https://dav.example.co.uk/'), u('https://p1.example.co.uk/'))).toBe(true);
    expect(registrableDomain('dav.example.com.au')).toBe('example.com.au');
  });

  it('compares IP addresses and single-label hosts exactly (loopback included)', () => {
    expect(sameSite(u('http://127.0.0.1:5232/'), u('http://localhost:5232/'))).toBe(false);
    expect(sameSite(u('http://127.0.0.1:5232/'), u('http://127.0.0.1:5232/b/'))).toBe(true);
    expect(sameSite(u('http://127.0.0.1:5232/'), u('http://127.0.0.1:5233/'))).toBe(false);
    expect(sameSite(u('http://10.0.0.1/'), u('http://10.0.0.2/'))).toBe(false);
  });
});
