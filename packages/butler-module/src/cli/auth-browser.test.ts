import { type ChildProcessWithoutNullStreams, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type GoogleEmulator, startGoogleEmulator } from '@contacts/google-emulator';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliCommand, PACKAGE_DIR, runCliProcess } from '../test-support/cli-process.js';

// Debian's chromium (`apt-get install -y chromium`; .ci/run installs it). Missing, the test is
// skipped with the sentence below, and .ci/summarize-tests.mjs fails CI on the skip.
const CHROMIUM =
  process.env.CONTACTS_TEST_CHROMIUM ??
  ['chromium', 'chromium-browser']
    .map((name) => spawnSync('which', [name], { encoding: 'utf8' }).stdout.trim())
    .find(Boolean);
if (!CHROMIUM)
  console.warn('auth-browser.test.ts: skipped: chromium is missing (apt-get install -y chromium).');

let emulator: GoogleEmulator;
let browser: Browser;
let dataDir: string;
const children: ChildProcessWithoutNullStreams[] = [];

beforeAll(async () => {
  if (!CHROMIUM) return;
  emulator = await startGoogleEmulator({ seed: 21, people: 12 });
  // --no-sandbox: CI runs as root, where Chromium's sandbox refuses to start.
  browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox'] });
  dataDir = mkdtempSync(join(tmpdir(), 'contacts-auth-'));
});
afterAll(async () => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  await browser?.close();
  await emulator?.close();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

/** The endpoint overrides the descriptor reads from the environment: everything on the emulator. */
const endpoints = () => ({
  CONTACTS_GOOGLE_ROOT_URL: emulator.url,
  CONTACTS_GOOGLE_TOKEN_URL: emulator.tokenUrl,
  CONTACTS_GOOGLE_AUTH_URL: emulator.authUrl,
});

/** `contacts auth google` as a child; resolves with the consent URL it prints, and its end. */
function startAuth(args: string[], env: Record<string, string>, stdin: string) {
  const { command, args: argv } = cliCommand(['auth', 'google', ...args]);
  const child = spawn(command, argv, {
    cwd: PACKAGE_DIR,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
    stdio: 'pipe',
  });
  children.push(child);
  child.stdin.end(stdin);
  let stdout = '';
  let stderr = '';
  const url = new Promise<string>((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString('utf8');
      const line = stdout.split('\n').find((l) => l.startsWith(emulator.authUrl));
      if (line) resolve(line.trim());
    });
    child.on('close', () => reject(new Error(`contacts auth ended before printing a URL: ${stderr}`)));
  });
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString('utf8');
  });
  const finished = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
  return { url, finished };
}

describe.skipIf(!CHROMIUM)('contacts auth google in a real browser [chromium]', () => {
  it('consents with Allow in headless Chromium, stores the keys, and a sync then works', async () => {
    const { clientId, clientSecret } = emulator.credentials;
    const auth = startAuth(
      ['--no-browser', '--timeout', '120', '--data-dir', dataDir],
      { ...endpoints(), CONTACTS_GOOGLE_CLIENT_ID: clientId },
      `${clientSecret}\n`,
    );
    const url = await auth.url;
    const page = await browser.newPage();
    await page.goto(url);
    await page.click('#allow');
    await page.waitForURL(/^http:\/\/127\.0\.0\.1:\d+\/callback\?/);
    expect(await page.textContent('body')).toContain('Access granted');
    const done = await auth.finished;
    expect(done.stderr).not.toContain(clientSecret);
    expect(done.stdout).not.toContain(clientSecret);
    expect(done.code).toBe(0);
    expect(done.stdout).toContain(
      'Stored GOOGLE_OAUTH_CLIENT_ID, GOOGLE_OAUTH_CLIENT_SECRET, GOOGLE_REFRESH_TOKEN for google:default',
    );

    // The preset refresh token stops working: the sync can only use the one consent issued.
    emulator.admin.rotateRefreshToken();
    const sync = await runCliProcess(['sync', '--data-dir', dataDir], null, endpoints());
    expect(sync.stderr).not.toContain(clientSecret);
    expect(sync.code).toBe(0);
    expect(emulator.admin.requestCount('connections')).toBeGreaterThan(0);
  }, 120_000);
});
