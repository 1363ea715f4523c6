import { descriptorUpstream, silentLogger, systemClock } from '@contacts/core';
import { describeDescriptorConformance } from '@contacts/core/testing';
import { expect, it } from 'vitest';
import { CARDDAV_SECRET_SHAPES, carddavProviderDescriptor, carddavUpstream } from './descriptor.js';

describeDescriptorConformance('carddav', {
  descriptor: carddavProviderDescriptor,
  validSettings: [
    { url: 'https://contacts.icloud.com/' },
    { url: 'http://127.0.0.1:5232/', books: ['contacts', 'Family'] },
  ],
  secretSamples: ['abcd-efgh-ijkl-mnop', 'Authorization: Basic YWRhOnNlY3JldC1wdw=='],
});

it('blanks a Basic credential but not the words "Basic authentication"', () => {
  const [, basic] = CARDDAV_SECRET_SHAPES;
  expect('Authorization: Basic YWRhOnNlY3JldC1wdw=='.replace(basic!, '$1[redacted]')).toBe(
    'Authorization: Basic [redacted]',
  );
  expect('the server asks for Basic authentication'.replace(basic!, '$1[redacted]')).toBe(
    'the server asks for Basic authentication',
  );
});

it('refuses a url the password must not go to, naming what it receives', () => {
  const result = carddavProviderDescriptor.settings.safeParse({ url: 'http://dav.example.org/' });
  expect(result.success).toBe(false);
  expect(result.error?.issues[0]?.message).toMatch(/it receives the CardDAV password$/);
});

it('creates a provider that asks for the url when the source table has none', async () => {
  const provider = await carddavProviderDescriptor.create({
    accountId: 'default',
    settings: {},
    credentials: { username: 'ada', password: 'pw' },
    logger: silentLogger,
    clock: systemClock,
  });
  await expect(provider.validateCredentials()).rejects.toMatchObject({ code: 'PERMANENT' });
  await expect(provider.validateCredentials()).rejects.toThrow(/set `url` in its source table/);
});

it("names the server's host and port as its upstream, never the path or user info", () => {
  const upstream = (url: string | undefined) =>
    descriptorUpstream(carddavProviderDescriptor, {
      accountId: 'default',
      settings: carddavProviderDescriptor.settings.parse(url === undefined ? {} : { url }),
      credentials: { username: 'ada@icloud.com', password: 'abcd-efgh-ijkl-mnop' },
    });
  expect(upstream('https://contacts.icloud.com/')).toBe('carddav:contacts.icloud.com:443');
  expect(upstream('https://Contacts.iCloud.com:443/123/carddavhome/')).toBe(
    'carddav:contacts.icloud.com:443',
  );
  expect(upstream('http://127.0.0.1:5232/ada/')).toBe('carddav:127.0.0.1:5232');
  expect(upstream(undefined)).toBe('carddav:unset');
  expect(carddavUpstream('https://ada:pw@dav.example.com/ada/')).toBe('dav.example.com:443');
});
