import { ContactsSyncStateStore } from '@contacts/core';
import { describeDatabase } from '@contacts/schema/testing';
import { expect, it } from 'vitest';
import { listSources } from './source-list.js';

describeDatabase('listSources', (t) => {
  const clock = { now: () => new Date('2026-03-01T08:00:00Z') };
  const statusWith = async (lastError: string | null, lastErrorCode: string | null) => {
    const store = new ContactsSyncStateStore({ db: t.db, butlerSchema: t.butlerSchema, clock });
    await store.save('google', 'default', {
      lastError,
      lastErrorCode,
      lastSuccessAt: new Date('2026-02-01'),
    });
    // No runtime here: what another process, or this one before a restart, stored is all there is.
    const [source] = await listSources({
      db: t.db,
      butlerSchema: t.butlerSchema,
      provider: 'google',
      accountId: 'default',
      syncEnabled: true,
      clock,
    });
    return source?.status;
  };

  it('tells a stored auth error from another failure, without a runtime that met it', async () => {
    expect(await statusWith('Google refused the refresh token.', 'AUTH_FAILED')).toBe('auth_error');
    expect(await statusWith('Google answered 503.', 'TEMPORARY')).toBe('error');
    expect(await statusWith('Something failed.', null)).toBe('error');
    expect(await statusWith(null, null)).toBe('active');
  });
});
