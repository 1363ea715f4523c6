import { describe, expect, it } from 'vitest';
import { runCli } from '../test-support/cli-harness.js';
import type { CliIo } from './cli-io.js';
import { ENV, syncLeaseTtlMs } from './options.js';

const io = (value?: string): CliIo => ({
  stdout: process.stdout,
  stderr: process.stderr,
  env: value === undefined ? {} : { [ENV.syncLeaseTtlSeconds]: value },
});

describe('CONTACTS_SYNC_LEASE_TTL_SECONDS', () => {
  it('is the lease TTL in whole seconds; unset or blank leaves the default', () => {
    expect(syncLeaseTtlMs(io())).toBeUndefined();
    expect(syncLeaseTtlMs(io('  '))).toBeUndefined();
    expect(syncLeaseTtlMs(io('3'))).toBe(3000);
    expect(syncLeaseTtlMs(io(' 600 '))).toBe(600_000);
  });

  it.each(['0', '-5', '1.5', '2s', '86401'])('refuses %j with a usage error naming the variable', (value) => {
    expect(() => syncLeaseTtlMs(io(value))).toThrow(
      /CONTACTS_SYNC_LEASE_TTL_SECONDS must be a whole number of seconds from 1 to 86400/,
    );
  });

  it.each(['serve', 'sync'])('makes `contacts %s` exit 2 before it opens any database', async (command) => {
    const result = await runCli([command, '--data-dir', '/nonexistent/never-created'], {
      env: { [ENV.syncLeaseTtlSeconds]: 'soon' },
      stdin: '',
    });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/CONTACTS_SYNC_LEASE_TTL_SECONDS must be a whole number of seconds/);
    expect(result.stdout).toBe('');
  });
});
