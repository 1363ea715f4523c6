import { memoryProviderDescriptor } from '@contacts/core/testing';
import { carddavProviderDescriptor } from '@contacts/provider-carddav';
import { describe, expect, it } from 'vitest';
import { missingCredentialsError } from './source-credentials.js';

describe('missingCredentialsError', () => {
  // Found from outside: the CardDAV hint said `contacts auth carddav --username NAME` for the
  // account "icloud", a command that would have stored the password of the default account.
  it('names the exact auth command of each source whose provider can authorise, --source included', () => {
    const error = missingCredentialsError([
      {
        descriptor: carddavProviderDescriptor,
        accountId: 'icloud',
        missing: ['CARDDAV_USERNAME@icloud', 'CARDDAV_PASSWORD@icloud'],
      },
    ]);
    expect(error.code).toBe('MISSING_CREDENTIALS');
    expect(error.message).toContain('Run `contacts auth carddav --source carddav:icloud` to connect it.');
    expect(error.message).not.toMatch(/auth carddav --username/);
  });

  it('gives only the provider sentence when it has no authorization', () => {
    const descriptor = memoryProviderDescriptor();
    const error = missingCredentialsError([{ descriptor, accountId: 'default', missing: ['MEMORY_TOKEN'] }]);
    expect(error.message).not.toContain('contacts auth');
    expect(error.message).toContain(descriptor.connectHint!);
  });
});
