import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type GoogleEmulator, startGoogleEmulator } from '@contacts/google-emulator';
import { butlerTables } from '@contacts/schema';
import { describeDatabase } from '@contacts/schema/testing';
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import { DbCredentialStore } from '../credentials/db-credential-store.js';
import { runCli } from '../test-support/cli-harness.js';
import { emulatorCredentials, seedCredentials } from '../test-support/module-harness.js';

describeDatabase('contacts worker', (t) => {
  let emulator: GoogleEmulator;
  let dir: string;
  beforeAll(async () => {
    emulator = await startGoogleEmulator({ people: 8, seed: 41 });
    dir = await mkdtemp(join(tmpdir(), 'contacts-worker-cmd-'));
    await writeFile(
      join(dir, 'butler.toml'),
      [
        '[modules.contacts]',
        'provider = "google"',
        `root_url = "${emulator.url}"`,
        `token_url = "${emulator.tokenUrl}"`,
        '',
      ].join('\n'),
    );
  });
  afterAll(async () => {
    await emulator?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });
  const globals = () => ['--config', 'butler.toml', '--butler-schema', t.butlerSchema];

  it('sweeps and syncs the configured account from the job queue until signalled', async () => {
    await seedCredentials(
      new DbCredentialStore({ db: t.db, butlerSchema: t.butlerSchema }),
      emulatorCredentials(emulator),
    );
    const stop = new AbortController();
    const running = runCli(['worker', '--concurrency', '2', '--sweep-interval', '1', ...globals()], {
      db: t.db,
      cwd: dir,
      signal: stop.signal,
    });
    const links = async () =>
      (await t.db.select().from(butlerTables(t.butlerSchema).contactsSourceLinks)).length;
    await vi.waitFor(async () => expect(await links()).toBe(emulator.admin.people().length), {
      timeout: 30_000,
      interval: 100,
    });
    stop.abort();
    const result = await running;
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain('contacts_worker_started');
    expect(result.stderr).not.toContain(emulator.credentials.clientSecret);

    const status = await runCli(['status', '--json', ...globals()], { db: t.db, cwd: dir });
    expect(JSON.parse(status.stdout)).toMatchObject({
      contact_count: emulator.admin.people().length,
      queue: { state: 'idle' },
    });
    const table = await runCli(['status', ...globals()], { db: t.db, cwd: dir });
    expect(table.stdout).toMatch(/job queue\s+idle \(not due\)/);
  });

  it('refuses a concurrency that is not a whole number from 1', async () => {
    const result = await runCli(['worker', '--concurrency', '0', ...globals()], { db: t.db, cwd: dir });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--concurrency must be a whole number from 1 to 64');
  });
});
