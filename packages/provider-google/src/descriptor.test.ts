import { describeDescriptorConformance } from '@contacts/core/testing';
import { expect, it } from 'vitest';
import { googleProviderDescriptor } from './descriptor.js';

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
