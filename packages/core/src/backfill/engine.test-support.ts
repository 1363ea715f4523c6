/**
 * Test support: the engine the backfill tests drive, on the test database, for the Google
 * `default` account unless `options` say otherwise. Not part of the package.
 */
import type { ContactsDatabase } from '@contacts/schema';
import { type BackfillEngineOptions, ContactBackfillEngine } from './engine.js';

export function testEngine(
  t: { db: ContactsDatabase; butlerSchema: string },
  options: Partial<BackfillEngineOptions> = {},
): ContactBackfillEngine {
  return new ContactBackfillEngine({
    db: t.db,
    butlerSchema: t.butlerSchema,
    provider: 'google',
    accountId: 'default',
    ...options,
  });
}
