import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ACTIVITY_TYPES } from '@contacts/core';
import { butlerTables, contacts } from '@contacts/schema';
import { describeDatabase } from '@contacts/schema/testing';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { runCli } from '../test-support/cli-harness.js';

// Issue 14: `contacts review` lists what a person should look at, each with its sentence.
describeDatabase('contacts review', (t) => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'contacts-review-'));
  });
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });
  const cli = (argv: string[]) =>
    runCli([...argv, '--butler-schema', t.butlerSchema], { db: t.db, cwd: dir });
  const source = (externalId: string, account = 'default') => ({
    provider: 'google',
    account_id: account,
    external_id: externalId,
  });

  it('says there is nothing to review on a clean source', async () => {
    expect((await cli(['migrate'])).code).toBe(0);
    const review = await cli(['review']);
    expect(review).toMatchObject({ code: 0, stderr: '' });
    expect(review.stdout).toBe(
      'Nothing to review for google (default): no conflicts, ambiguous names or failed contacts.\n',
    );
  });

  it('lists the latest conflict per contact, ambiguous names and failed contacts, text and JSON', async () => {
    const tables = butlerTables(t.butlerSchema);
    const [ada, bob, other] = await t.db
      .insert(contacts)
      .values([{ name: 'Ada Review' }, { name: 'Bob Review' }, { name: 'Other Account' }])
      .returning({ id: contacts.id });
    const at = (minute: number) => new Date(Date.UTC(2026, 2, 1, 8, minute));
    await t.db.insert(tables.activityFeed).values([
      {
        contactId: ada!.id,
        type: ACTIVITY_TYPES.conflict,
        description: 'Kept your edits of Ada Review; google (default) says otherwise for nickname (old).',
        details: source('people/ada'),
        createdAt: at(1),
      },
      {
        contactId: ada!.id,
        type: ACTIVITY_TYPES.conflict,
        description: 'Kept your edits of Ada Review; google (default) says otherwise for nickname (new).',
        details: source('people/ada'),
        createdAt: at(2),
      },
      {
        contactId: bob!.id,
        type: ACTIVITY_TYPES.ambiguous,
        description:
          'Added Bob Review from google (default) as a new contact: 2 existing contacts have that name. Merge them if they are the same person.',
        details: { ...source('people/bob'), candidates: ['a', 'b'] },
        createdAt: at(3),
      },
      {
        contactId: bob!.id,
        type: ACTIVITY_TYPES.synced,
        description: 'Added Bob Review from google (default).',
        details: source('people/bob'),
        createdAt: at(3),
      },
      // Another account's conflict is not this source's to review.
      {
        contactId: other!.id,
        type: ACTIVITY_TYPES.conflict,
        description: 'Kept your edits of Other Account; google (work) says otherwise.',
        details: source('people/other', 'work'),
        createdAt: at(4),
      },
    ]);
    await t.db.insert(tables.contactsSyncFailures).values({
      provider: 'google',
      accountId: 'default',
      externalContactId: 'people/broken',
      error: 'birthday: invalid date "2026-02-30"',
      attempts: 3,
      firstFailedAt: at(0),
      lastFailedAt: at(5),
    });

    const text = await cli(['review']);
    expect(text.code).toBe(0);
    expect(text.stdout.split('\n')).toEqual([
      'To review for google (default):',
      '',
      'Conflicts (the source disagrees with a kept value): 1',
      '  - Kept your edits of Ada Review; google (default) says otherwise for nickname (new).',
      '',
      'Ambiguous names (added as new; merge if the same person): 1',
      '  - Added Bob Review from google (default) as a new contact: 2 existing contacts have that name. Merge them if they are the same person.',
      '',
      'Failed contacts (retried on every sync): 1',
      '  - people/broken at google (default) could not be applied (3 attempts since 2026-03-01T08:00:00.000Z): birthday: invalid date "2026-02-30". It is retried on every sync; fix it at the source if it keeps failing.',
      '',
    ]);

    const json = JSON.parse((await cli(['review', '--json'])).stdout);
    expect(json).toMatchObject({
      provider: 'google',
      account_id: 'default',
      conflicts: [
        { kind: 'conflict', contact_id: ada!.id, external_id: 'people/ada', at: at(2).toISOString() },
      ],
      ambiguous_names: [{ kind: 'ambiguous_name', contact_id: bob!.id, external_id: 'people/bob' }],
      failed: [{ kind: 'failed', contact_id: null, external_id: 'people/broken', at: at(5).toISOString() }],
    });
    expect((await cli(['review', '--limit', '0'])).code).toBe(2);
  });
});
