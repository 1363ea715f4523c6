import { tmpdir } from 'node:os';
import { type GoogleEmulator, startGoogleEmulator } from '@contacts/google-emulator';
import { queryRows } from '@contacts/schema';
import { describeDatabase } from '@contacts/schema/testing';
import { sql } from 'drizzle-orm';
import { afterEach, beforeEach, expect, it } from 'vitest';
import type { SourceReport } from '../status/source-list.js';
import type { SyncStatusReport } from '../status/sync-status.js';
import { runCli } from '../test-support/cli-harness.js';
import { startGoogleModule } from '../test-support/google-module.js';
import { resultText } from '../test-support/module-harness.js';

// Issue 11, defect 2: a full listing that answered nobody (a valid sync token, zero connections)
// marked 500 of 500 links deleted, exit 0, with a false "was deleted" entry per person in the
// feed and `contacts 0` in the status. Here: the real Google client against the emulator, the
// module's runtime and tools over MCP, and the `contacts` command on the same database (another
// process, as far as the stored state goes).

describeDatabase('the deletion guard through the module, its tools and the command', (t) => {
  let emulator: GoogleEmulator;
  const closers: (() => Promise<void>)[] = [];
  beforeEach(async () => {
    emulator = await startGoogleEmulator({ people: 30, otherContacts: 0, seed: 23 });
  });
  afterEach(async () => {
    for (const close of closers.splice(0)) await close();
    await emulator.close();
  });

  async function start() {
    const started = await startGoogleModule({ db: t.db, butlerSchema: t.butlerSchema, emulator });
    closers.push(started.close);
    const call = async (name: string, args: Record<string, unknown> = {}) => {
      const result = await started.call(name, args);
      expect(result.isError, resultText(result)).toBeFalsy();
      return result.structuredContent as Record<string, unknown>;
    };
    return { ...started, call };
  }
  const cli = (argv: string[]) =>
    runCli([...argv, '--butler-schema', t.butlerSchema, '--google-root-url', emulator.url], {
      db: t.db,
      cwd: tmpdir(),
      env: { CONTACTS_GOOGLE_TOKEN_URL: emulator.tokenUrl },
    });
  const deletedFeed = async () =>
    Number(
      (
        await queryRows<{ n: number }>(
          t.db,
          sql`select count(*)::int as n from ${sql.identifier(t.butlerSchema)}.activity_feed
            where type = 'contact_sync_deleted_source'`,
        )
      )[0]?.n,
    );

  it('holds an empty listing with a valid sync token; every status says why and how to confirm; a full listing clears it', async () => {
    const { call } = await start();
    await call('contacts_sync_now');
    emulator.admin.injectFault({ kind: 'emptyListing', endpoint: 'connections' });

    const held = await call('contacts_sync_now', { mode: 'full' });
    expect(held).toMatchObject({ mode: 'full', confirmed_deletions: 0, summary: { deleted: 0 } });
    expect(held.held_deletions).toMatchObject({ mode: 'full', count: 30, of: 30 });
    const message = (held.held_deletions as { message: string }).message;
    expect(message).toMatch(
      /^A full listing of google \(default\) at \S+ did not show 30 of its 30 linked contacts\./,
    );
    expect(message).toContain('contacts_sync_now { confirm_deletions: true }');
    expect(message).toContain('`contacts sync --confirm-deletions`');
    expect(await deletedFeed()).toBe(0);

    const status = (await call('contacts_sync_status')) as unknown as SyncStatusReport;
    expect(status).toMatchObject({
      contact_count: 30,
      last_error: null,
      held_deletions: { count: 30, of: 30, message },
    });
    const [source] = (await call('contacts_source_list')).sources as SourceReport[];
    expect(source).toMatchObject({ status: 'deletions_held', held_deletions: { count: 30, message } });

    // Stored, so the command (another process) reads it too.
    const printed = await cli(['status']);
    expect(printed.code).toBe(0);
    expect(printed.stdout).toMatch(/held deletions\s+30 of 30 \(see below\)\n/);
    expect(printed.stdout).toContain(message);
    expect(JSON.parse((await cli(['status', '--json'])).stdout).held_deletions).toMatchObject({ count: 30 });

    // Google answers in full again: a full listing sees everyone and nothing is held any more.
    const full = await call('contacts_sync_now', { mode: 'full' });
    expect(full).toMatchObject({ held_deletions: null, summary: { deleted: 0 } });
    expect((await call('contacts_source_list')).sources).toMatchObject([
      { status: 'active', held_deletions: null },
    ]);
    expect(await deletedFeed()).toBe(0);
  });

  it('holds a mass deletion in an incremental listing; `contacts sync` exits 1 saying so; a confirmation applies it once', async () => {
    const { call, clock } = await start();
    await call('contacts_sync_now');
    const people = emulator.admin.people();
    for (const person of people.slice(0, 25)) emulator.admin.deletePerson(person.resourceName);

    const refused = await cli(['sync']);
    expect(refused.code).toBe(1);
    expect(refused.stdout).toContain('deleted 0');
    expect(refused.stderr).toMatch(
      /^contacts: An incremental listing of google \(default\) at \S+ said 25 of its 30 linked contacts were deleted\./m,
    );
    expect(await deletedFeed()).toBe(0);
    expect((await call('contacts_sync_status')).held_deletions).toMatchObject({
      mode: 'incremental',
      count: 25,
    });

    const confirmed = await cli(['sync', '--confirm-deletions', '--json']);
    expect(confirmed.code, confirmed.stderr).toBe(0);
    expect(JSON.parse(confirmed.stdout)).toMatchObject({
      confirmed_deletions: 25,
      held_deletions: null,
      summary: { deleted: 25 },
    });
    expect(await deletedFeed()).toBe(25);
    expect(await call('contacts_sync_status')).toMatchObject({ contact_count: 5, held_deletions: null });

    // No standing override: emptying the rest is held again, and the tool's argument confirms it.
    for (const person of people.slice(25)) emulator.admin.deletePerson(person.resourceName);
    clock.advance(60_000);
    expect((await call('contacts_sync_now')).held_deletions).toMatchObject({ count: 5, of: 5 });
    expect(await deletedFeed()).toBe(25);
    clock.advance(60_000);
    expect(await call('contacts_sync_now', { confirm_deletions: true })).toMatchObject({
      confirmed_deletions: 5,
      held_deletions: null,
      summary: { deleted: 5 },
    });
    expect(await deletedFeed()).toBe(30);
    expect((await cli(['sync'])).code).toBe(0);
  });
});
