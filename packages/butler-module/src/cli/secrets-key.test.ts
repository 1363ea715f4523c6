import { randomBytes } from 'node:crypto';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { type GoogleEmulator, startGoogleEmulator } from '@contacts/google-emulator';
import { butlerTables } from '@contacts/schema';
import { describeDatabase } from '@contacts/schema/testing';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { SecretsKey } from '../credentials/secrets-key.js';
import { runCli } from '../test-support/cli-harness.js';

// Issue 11, defect 10, through the `contacts` command: the key comes from $CONTACTS_SECRETS_KEY,
// $CONTACTS_SECRETS_KEY_FILE or --secrets-key-file (a file only its owner may read); every
// command that reads secrets refuses a missing or wrong key with a sentence and exit 2; `secrets
// list` says what is encrypted; `secrets rotate-key` moves everything to a new key. No key ever
// appears in the output.

describeDatabase('contacts command with a secrets key', (t) => {
  let emulator: GoogleEmulator;
  let dir: string;
  beforeAll(async () => {
    emulator = await startGoogleEmulator({ people: 4, seed: 11 });
    dir = await mkdtemp(join(tmpdir(), 'contacts-secrets-key-'));
  });
  afterAll(async () => {
    await emulator?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const keys: string[] = [];
  const newKey = () => {
    const text = randomBytes(32).toString('base64');
    keys.push(text);
    return text;
  };
  const idOf = (text: string) => SecretsKey.parse(text).id;
  const keyFile = async (name: string, text: string, mode: number) => {
    const path = join(dir, name);
    await writeFile(path, `${text}\n`);
    await chmod(path, mode);
    return path;
  };
  const cli = async (argv: string[], env: Record<string, string> = {}, stdin?: string) => {
    const result = await runCli([...argv, '--butler-schema', t.butlerSchema], {
      db: t.db,
      cwd: dir,
      stdin,
      env: {
        CONTACTS_GOOGLE_ROOT_URL: emulator.url,
        CONTACTS_GOOGLE_TOKEN_URL: emulator.tokenUrl,
        ...env,
      },
    });
    // No run ever shows a key, in any form, or a secret value.
    const shown = result.stdout + result.stderr;
    for (const key of keys) {
      for (const form of [
        key,
        Buffer.from(key, 'base64').toString('hex'),
        Buffer.from(key, 'base64').toString('base64url'),
      ])
        expect(shown).not.toContain(form.slice(0, 16));
    }
    expect(shown).not.toContain(emulator.credentials.clientSecret);
    expect(shown).not.toContain(emulator.credentials.refreshToken);
    return result;
  };
  const seed = async (env: Record<string, string>) => {
    const c = emulator.credentials;
    expect((await cli(['secrets', 'set', 'GOOGLE_OAUTH_CLIENT_ID', c.clientId], env)).code).toBe(0);
    expect((await cli(['secrets', 'set', 'GOOGLE_OAUTH_CLIENT_SECRET'], env, c.clientSecret)).code).toBe(0);
    const last = await cli(['secrets', 'set', 'GOOGLE_REFRESH_TOKEN'], env, c.refreshToken);
    expect(last.code, last.stderr).toBe(0);
    return last;
  };
  const storedValues = async () =>
    (await t.db.select().from(butlerTables(t.butlerSchema).butlerSecrets)).map((r) => r.secretValue);

  it('secrets set encrypts with $CONTACTS_SECRETS_KEY; list says so; sync and serve refuse without the key', async () => {
    const key = newKey();
    const set = await seed({ CONTACTS_SECRETS_KEY: key });
    expect(set.stdout).toBe(
      `Stored secret GOOGLE_REFRESH_TOKEN (category google) in relationship.butler_secrets, encrypted with key id ${idOf(key)}.\n`,
    );
    for (const value of await storedValues()) expect(value).toMatch(new RegExp(`^enc:v1:${idOf(key)}:`));

    // Listing needs no key: nothing is decrypted.
    const list = await cli(['secrets', 'list']);
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(
      new RegExp(`GOOGLE_REFRESH_TOKEN\\s+google\\s+yes\\s+yes \\(key id ${idOf(key)}\\)`),
    );
    const json = JSON.parse((await cli(['secrets', 'list', '--json'])).stdout) as {
      encrypted: boolean;
      key_id: string;
    }[];
    expect(json.map((s) => [s.encrypted, s.key_id])).toEqual(Array(3).fill([true, idOf(key)]));

    const missing = await cli(['sync']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toBe(
      `contacts: The secrets in relationship.butler_secrets are encrypted (key id ${idOf(key)}) and no secrets key was given. ` +
        'Give the key they were encrypted with (a host passes it to DbCredentialStore as `secretsKey`; the `contacts` command reads $CONTACTS_SECRETS_KEY, $CONTACTS_SECRETS_KEY_FILE or --secrets-key-file).\n',
    );
    const wrong = await cli(['sync'], { CONTACTS_SECRETS_KEY: newKey() });
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toMatch(/^contacts: The secrets key given \(key id [0-9a-f]{16}\) is not the one/);
    const stdin = new PassThrough();
    const serve = await runCli(['serve', '--butler-schema', t.butlerSchema], {
      db: t.db,
      stdinStream: stdin,
      env: { CONTACTS_GOOGLE_ROOT_URL: emulator.url, CONTACTS_GOOGLE_TOKEN_URL: emulator.tokenUrl },
    });
    stdin.destroy();
    expect(serve.code).toBe(2);
    expect(serve.stderr).toMatch(/contacts: The secrets in relationship\.butler_secrets are encrypted/);
    const plainSet = await cli(['secrets', 'set', 'OTHER', 'some-other-value']);
    expect(plainSet.code).toBe(2);
    expect(plainSet.stderr).toMatch(/no secrets key was given/);

    const synced = await cli(['sync'], { CONTACTS_SECRETS_KEY: key });
    expect(synced.code, synced.stderr).toBe(0);
    expect(synced.stdout).toMatch(/^Synced google \(default\): full sync/);
  });

  it('a key file must be readable by its owner only, as ssh wants of a private key', async () => {
    const key = newKey();
    const open = await keyFile('open.key', key, 0o644);
    const refused = await cli(['secrets', 'set', 'K', 'value-123456', '--secrets-key-file', open]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toBe(
      `contacts: --secrets-key-file ${open}: group or others may read or write it (mode 0644); a key others can read protects nothing. Run \`chmod 600 ${open}\`.\n`,
    );
    expect(
      await cli(['sync'], { CONTACTS_SECRETS_KEY_FILE: await keyFile('group.key', key, 0o640) }),
    ).toMatchObject({
      code: 2,
      stderr: expect.stringMatching(
        /^contacts: \$CONTACTS_SECRETS_KEY_FILE .*group\.key: group or others may read or write it \(mode 0640\)/,
      ),
    });
    expect(await cli(['secrets', 'list', '--secrets-key-file', join(dir, 'absent.key')])).toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/absent\.key: no such file\.\n$/),
    });
    expect(await storedValues()).toEqual([]);

    const own = await keyFile('own.key', key, 0o600);
    const set = await cli(['secrets', 'set', 'K', 'value-123456', '--secrets-key-file', own]);
    expect(set.code, set.stderr).toBe(0);
    expect(set.stdout).toContain(`encrypted with key id ${idOf(key)}`);
    expect(await cli(['secrets', 'list'], { CONTACTS_SECRETS_KEY_FILE: 'own.key' })).toMatchObject({
      code: 0,
    });
    // Two variables: which one is meant is not guessed.
    expect(
      await cli(['secrets', 'list'], { CONTACTS_SECRETS_KEY_FILE: own, CONTACTS_SECRETS_KEY: key }),
    ).toMatchObject({ code: 2, stderr: expect.stringMatching(/give the key one way/) });
    const malformed = await cli(['secrets', 'list'], { CONTACTS_SECRETS_KEY: 'hunter2-not-a-key' });
    expect(malformed).toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/^contacts: \$CONTACTS_SECRETS_KEY is not a secrets key/),
    });
    expect(malformed.stderr).not.toContain('hunter2');
  });

  it('plain-text secrets: listed as such, encrypted by the first command given a key', async () => {
    await seed({});
    const list = await cli(['secrets', 'list']);
    expect(list.stdout).toMatch(/GOOGLE_REFRESH_TOKEN\s+google\s+yes\s+no \(plain text\)/);
    expect(list.stderr).toMatch(
      /note: 3 secret\(s\) of relationship\.butler_secrets are stored in plain text; give a secrets key/,
    );
    expect(await storedValues()).toContain(emulator.credentials.refreshToken);
    const key = newKey();
    const synced = await cli(['sync'], { CONTACTS_SECRETS_KEY: key });
    expect(synced.code, synced.stderr).toBe(0);
    expect(synced.stderr).toContain(
      `note: encrypted 3 secret(s) that were stored in plain text (key id ${idOf(key)}).`,
    );
    for (const value of await storedValues()) expect(value).toMatch(/^enc:v1:/);
  });

  it('secrets rotate-key moves every secret to the new key; the old one is refused after; a rerun changes nothing', async () => {
    const old = newKey();
    await seed({ CONTACTS_SECRETS_KEY: old });
    const next = newKey();
    const nextFile = await keyFile('next.key', next, 0o600);
    const noNew = await cli(['secrets', 'rotate-key'], { CONTACTS_SECRETS_KEY: old });
    expect(noNew).toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/^contacts: Give the new secrets key: --new-key-file FILE/),
    });
    const same = await cli(['secrets', 'rotate-key'], {
      CONTACTS_SECRETS_KEY: old,
      CONTACTS_SECRETS_NEW_KEY: old,
    });
    expect(same).toMatchObject({ code: 2, stderr: expect.stringMatching(/is the current one/) });
    const noOld = await cli(['secrets', 'rotate-key', '--new-key-file', nextFile]);
    expect(noOld).toMatchObject({ code: 2, stderr: expect.stringMatching(/no secrets key was given/) });

    const rotated = await cli(['secrets', 'rotate-key', '--new-key-file', nextFile], {
      CONTACTS_SECRETS_KEY: old,
    });
    expect(rotated.code, rotated.stderr).toBe(0);
    expect(rotated.stdout).toBe(
      `Every secret of relationship.butler_secrets is now encrypted with key id ${idOf(next)}: 3 re-encrypted from the old key, 0 encrypted from plain text, 0 already under the new key.\n` +
        'Give the new key to every process that reads them ($CONTACTS_SECRETS_KEY, $CONTACTS_SECRETS_KEY_FILE or --secrets-key-file); the old key no longer opens them.\n',
    );
    for (const value of await storedValues()) expect(value).toMatch(new RegExp(`^enc:v1:${idOf(next)}:`));
    expect((await cli(['sync'], { CONTACTS_SECRETS_KEY: old })).code).toBe(2);
    const synced = await cli(['sync', '--secrets-key-file', nextFile]);
    expect(synced.code, synced.stderr).toBe(0);
    const again = await cli(['secrets', 'rotate-key'], {
      CONTACTS_SECRETS_KEY: old,
      CONTACTS_SECRETS_NEW_KEY: next,
    });
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toMatch(
      /: 0 re-encrypted from the old key, 0 encrypted from plain text, 3 already under the new key\./,
    );
  });
});
