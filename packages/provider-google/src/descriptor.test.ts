import { descriptorUpstream } from '@contacts/core';
import { describeDescriptorConformance } from '@contacts/core/testing';
import { expect, it } from 'vitest';
import { googleProviderDescriptor, googleUpstream } from './descriptor.js';

describeDescriptorConformance('google', {
  descriptor: googleProviderDescriptor,
  validSettings: [
    { include_other_contacts: true },
    { root_url: 'http://127.0.0.1:8080/', token_url: 'https://oauth2.example.org/token' },
  ],
  secretSamples: ['ya29.a0AfH6SMBx3jK', '1//0gAbCdEfGhIjKlMnOpQrStUv'],
});

it('refuses a root URL credentials must not go to, naming what it receives', () => {
  const result = googleProviderDescriptor.settings.safeParse({ root_url: 'http://people.example/' });
  expect(result.success).toBe(false);
  expect(result.error?.issues[0]?.message).toMatch(/it receives the access token$/);
});

it('names one upstream per People API root and OAuth client, whatever the refresh token', () => {
  const upstream = (settings: Record<string, unknown>, clientId: string, refreshToken: string) =>
    descriptorUpstream(googleProviderDescriptor, {
      accountId: 'default',
      settings: googleProviderDescriptor.settings.parse(settings),
      credentials: { clientId, clientSecret: 'GOCSPX-secret', refreshToken },
    });
  const first = upstream({}, 'one.apps.googleusercontent.com', '1//0gAAA');
  expect(first).toMatch(/^google:[0-9a-f]{12}$/);
  expect(upstream({}, 'one.apps.googleusercontent.com', '1//0gBBB')).toBe(first);
  expect(upstream({}, 'two.apps.googleusercontent.com', '1//0gAAA')).not.toBe(first);
  expect(
    upstream({ root_url: 'http://127.0.0.1:8080/' }, 'one.apps.googleusercontent.com', '1//0gAAA'),
  ).not.toBe(first);
  expect(googleUpstream(undefined, 'one.apps.googleusercontent.com')).toBe(first.slice('google:'.length));
});
