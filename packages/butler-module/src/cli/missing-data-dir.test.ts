import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../test-support/cli-harness.js';

// The embedded database is really opened here (no `db` injected): the point is that it is not.
const dirs: string[] = [];
const workDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'contacts-missing-'));
  dirs.push(dir);
  return dir;
};
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('reading commands on a data directory that does not exist', () => {
  it.each([
    [['status']],
    [['status', '--json']],
    [['secrets', 'list']],
    [['secrets', 'list', '--json']],
    [['review']],
  ])('`contacts %j` says so, exits 2 and creates nothing', async (argv) => {
    const cwd = workDir();
    const result = await runCli(['--data-dir', 'nowhere', ...argv], { cwd });
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe(
      `contacts: There is no data directory ${join(cwd, 'nowhere')} (nothing was created): run \`contacts migrate\` to make one there, or give the --data-dir that holds yours.\n`,
    );
    expect(readdirSync(cwd)).toEqual([]);
  });

  it('says an existing directory holds no database yet, and leaves it empty', async () => {
    const cwd = workDir();
    mkdirSync(join(cwd, 'empty'));
    const result = await runCli(['--data-dir', 'empty', 'status'], { cwd });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(
      `${join(cwd, 'empty')} holds no contacts database yet (nothing was created)`,
    );
    expect(readdirSync(join(cwd, 'empty'))).toEqual([]);
  });

  it('the default ./.contacts too: a status typed in the wrong directory makes no .contacts there', async () => {
    const cwd = workDir();
    const result = await runCli(['status'], { cwd });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`There is no data directory ${join(cwd, '.contacts')}`);
    expect(existsSync(join(cwd, '.contacts'))).toBe(false);
  });
});
