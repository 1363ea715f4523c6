import { expect, it } from 'vitest';
import { runDemo } from './demo.js';

it('tells the quickstart story end to end: sync, changes on both sides, sync, what happened', async () => {
  const lines: string[] = [];
  const { secrets } = await runDemo({ people: 120, write: (line) => lines.push(line) });
  const out = lines.join('\n');
  expect(out).toMatch(/full: fetched 120, created \d+/);
  expect(out).toMatch(
    /incremental: fetched 3, created 1, updated 1, skipped 0, deleted 1, conflicts 1, failed 0/,
  );
  expect(out).toContain('job title is "Chief Tea Officer"; the nickname "Doc" came from Google');
  expect(out).toContain('(deleted_at set); the CRM contact is kept');
  expect(out).toMatch(/\[contact_sync_conflict\] Kept your edits of .*Chief Tea Officer.*Head of Research/);
  expect(out).toMatch(/\[contact_sync_deleted_source\]/);
  expect(out).toMatch(/\[contact_synced\] Added Ada Lovelace/);
  expect(out).toMatch(
    /Status: \d+ contacts linked, cursor present: true, last error: none, failed contacts: 0/,
  );
  // The emulator's client secret and refresh token are stored, never printed.
  expect(secrets).toHaveLength(2);
  for (const secret of secrets) expect(out).not.toContain(secret);
});
