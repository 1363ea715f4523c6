import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { runCli } from '../test-support/cli-harness.js';
import { asksForVersionOnly, packageVersion } from './version.js';

const packageJson = new URL('../../package.json', import.meta.url);
const ownVersion = async () =>
  (JSON.parse(await readFile(packageJson, 'utf8')) as { version: string }).version;

describe('contacts --version', () => {
  it('prints the package version for --version and -V, exit 0', async () => {
    const version = await ownVersion();
    for (const flag of ['--version', '-V']) {
      const result = await runCli([flag]);
      expect(result).toEqual({ code: 0, stdout: `${version}\n`, stderr: '' });
    }
  });

  it('finds the package.json from a bundle at another depth, skipping other packages', async () => {
    const root = await mkdtemp(join(tmpdir(), 'contacts-version-'));
    try {
      await writeFile(
        join(root, 'package.json'),
        JSON.stringify({ name: '@contacts/butler-module', version: '9.8.7' }),
      );
      // A nested package.json of another package (as in dist/ with "type": "module") is skipped.
      await mkdir(join(root, 'dist', 'cli'), { recursive: true });
      await writeFile(
        join(root, 'dist', 'package.json'),
        JSON.stringify({ name: 'other', version: '1.0.0' }),
      );
      const chunk = pathToFileURL(join(root, 'dist', 'cli', 'bin.js')).href;
      expect(packageVersion(chunk)).toBe('9.8.7');
      expect(packageVersion(pathToFileURL(join(tmpdir(), 'nowhere', 'x.js')).href)).toBe('unknown');
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });

  it('answers only a lone version flag before the command loads', () => {
    expect(asksForVersionOnly(['--version'])).toBe(true);
    expect(asksForVersionOnly(['-V'])).toBe(true);
    expect(asksForVersionOnly(['-v'])).toBe(false);
    expect(asksForVersionOnly(['status', '--version'])).toBe(false);
    expect(asksForVersionOnly([])).toBe(false);
  });

  it('the installed bin prints it as a process', async () => {
    const bin = new URL('../../bin/contacts.mjs', import.meta.url);
    const { stdout } = await promisify(execFile)(process.execPath, [bin.pathname, '--version']);
    expect(stdout).toBe(`${await ownVersion()}\n`);
  });
});
