import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { cliCommand } from '../test-support/cli-process.js';

// The modules a command loads, from a real process: each subcommand's module and each provider
// is imported only when used (issue 15), so `status` and `secrets` never pay for the Google API
// client, the MCP SDK, the progress display, the CardDAV parsers or the phone metadata.
const TRACE = fileURLToPath(new URL('../test-support/module-trace.mjs', import.meta.url));
const work = mkdtempSync(join(tmpdir(), 'contacts-lazy-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const HEAVY = [
  /@googleapis|google-auth-library|gaxios/,
  /@modelcontextprotocol/,
  /cli-progress/,
  /fast-xml-parser|ical\.js/,
  /libphonenumber-js/,
  /provider-google\/src\/google-contacts-provider/,
  /commands\/(serve|sync|worker)\.ts/,
  /pg-boss/,
];

function modulesOf(args: string[]): string[] {
  const file = join(work, `trace-${args.join('-').replace(/\W+/g, '_')}.txt`);
  const { command, args: argv } = cliCommand(args);
  const run = spawnSync(command, ['--import', TRACE, ...argv], {
    cwd: work,
    env: { PATH: process.env.PATH ?? '', CONTACTS_TRACE_MODULES: file },
    encoding: 'utf8',
    timeout: 60_000,
  });
  expect(run.status, run.stderr).toBe(2); // no data directory here: said, and nothing made
  expect(run.stderr).toContain('There is no data directory');
  return readFileSync(file, 'utf8').trim().split('\n');
}

describe('what a command loads', () => {
  it.each([[['status']], [['secrets', 'list']]])('`contacts %j` loads no heavy module', (args) => {
    const loaded = modulesOf(args);
    expect(loaded.some((url) => url.includes('/cli/commands/'))).toBe(true);
    for (const heavy of HEAVY) expect(loaded.filter((url) => heavy.test(url))).toEqual([]);
  });
});
