import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ContactsSyncStateStore } from '@contacts/core';
import { type GoogleEmulator, startGoogleEmulator } from '@contacts/google-emulator';
import { describeDatabase } from '@contacts/schema/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { captureStream, runCli } from '../test-support/cli-harness.js';
import { streamLogger } from './stream-logger.js';
import { neutraliseControls, terminalText } from './terminal-text.js';

// Issue 11: terminal escape sequences from upstream data (a contact's name, a server's error text)
// reached the command's logs and messages, where a terminal obeys them: retitle the window, clear
// the screen, rewrite the line before, ring the bell.

/** A hostile string: OSC title, CSI clear screen and cursor home, 8-bit CSI, BEL, backspaces, CR, DEL, NUL, a bidi override. */
const HOSTILE = 'Eve\u001b]0;owned\u0007\u001b[2J\u001b[H\u009b31m\b\b\rfake line\u007f\u0000\u202e';

/** Any character a terminal acts on, but the line feeds and tabs of the output's own layout. */
const ACTIVE = /(?![\n\t])[\p{Cc}\u202A-\u202E\u2066-\u2069]/u;

describe('neutraliseControls', () => {
  it('writes every control character out as a visible escape, and nothing else', () => {
    expect(neutraliseControls(HOSTILE)).toBe(
      'Eve\\u001b]0;owned\\u0007\\u001b[2J\\u001b[H\\u009b31m\\u0008\\u0008\\u000dfake line\\u007f\\u0000\\u202e',
    );
    const plain = 'Zoë Ñúñez 👩‍💻 שלום مرحبا\tcol\nnext line "quoted" \\ back';
    expect(neutraliseControls(plain)).toBe(plain);
  });

  it('keeps JSON output exact: an escape inside a JSON string decodes back to the character', () => {
    const json = JSON.stringify({ last_error: HOSTILE });
    const shown = neutraliseControls(json);
    expect(shown).not.toMatch(ACTIVE);
    expect(JSON.parse(shown)).toEqual({ last_error: HOSTILE });
  });

  it('is what the stream logger writes through: message and fields, quoted or not', async () => {
    const stream = captureStream(true);
    const out = terminalText(stream);
    expect(out.isTTY).toBe(true);
    const logger = streamLogger(out, 'info', () => new Date('2026-03-01T08:00:00Z'));
    logger.warn(`contact_apply_failed${HOSTILE}`, { external_id: 'people/\u001b[2J', error: HOSTILE });
    await new Promise((resolve) => setImmediate(resolve));
    const line = stream.text();
    expect(line).toMatch(/^2026-03-01T08:00:00.000Z warn contact_apply_failedEve\\u001b/);
    expect(line).not.toMatch(ACTIVE);
    expect(line).toContain('external_id=people/\\u001b[2J');
    expect(line).toContain('\\u001b]0;owned\\u0007');
  });
});

describeDatabase('the contacts command shows upstream text without its control characters', (t) => {
  let emulator: GoogleEmulator;
  let dir: string;
  beforeAll(async () => {
    emulator = await startGoogleEmulator({ people: 3, seed: 11 });
    dir = await mkdtemp(join(tmpdir(), 'contacts-terminal-'));
  });
  afterAll(async () => {
    await emulator?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });
  const cli = (argv: string[], options: Parameters<typeof runCli>[1] = {}) =>
    runCli([...argv, '--butler-schema', t.butlerSchema, '--google-root-url', emulator.url], {
      db: t.db,
      cwd: dir,
      env: { CONTACTS_GOOGLE_TOKEN_URL: emulator.tokenUrl },
      ...options,
    });

  it('a hostile contact and a hostile server error: logs and the status are inert, the data exact', async () => {
    const c = emulator.credentials;
    for (const [key, value] of Object.entries({
      GOOGLE_OAUTH_CLIENT_ID: c.clientId,
      GOOGLE_OAUTH_CLIENT_SECRET: c.clientSecret,
      GOOGLE_REFRESH_TOKEN: c.refreshToken,
    })) {
      expect((await cli(['secrets', 'set', key, value])).code).toBe(0);
    }
    // A contact whose id and name carry escapes, and a month 13: it fails, and its failure is logged.
    emulator.admin.addRawPerson({
      resourceName: 'people/c\u001b]0;owned\u0007',
      etag: 'e1',
      names: [{ displayName: HOSTILE }],
      birthdays: [{ date: { month: 13, day: 1 } }],
    });
    const sync = await cli(['sync']);
    expect(sync.code, sync.stderr).toBe(0);
    expect(sync.stderr).toMatch(/warn contact_apply_failed .*external_id=.*people\/c\\u001b\]0;owned\\u0007/);
    expect(sync.stdout + sync.stderr).not.toMatch(ACTIVE);

    // A server whose error text is hostile, stored as the cycle stores a failure's sentence.
    await new ContactsSyncStateStore({ db: t.db, butlerSchema: t.butlerSchema }).save('google', 'default', {
      lastError: `Google failed: ${HOSTILE}`,
    });
    const status = await cli(['status']);
    expect(status.code).toBe(0);
    expect(status.stdout).toMatch(/last error\s+.*Eve\\u001b\]0;owned/);
    expect(status.stdout + status.stderr).not.toMatch(ACTIVE);
    // JSON keeps the server's text exactly: the escapes decode back to what it sent.
    const json = await cli(['status', '--json']);
    expect(json.stdout).not.toMatch(ACTIVE);
    expect(JSON.parse(json.stdout).last_error).toBe(`Google failed: ${HOSTILE.replace('\u0000', '')}`);
  });
});
