import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const PACKAGE_NAME = '@contacts/butler-module';

/**
 * The version of `@contacts/butler-module`, read from its package.json. Only node builtins are
 * imported here: `contacts --version` answers without loading the database drivers, the MCP SDK or
 * the providers. The package.json is found by walking up from this file, because the source
 * (`src/cli/`) and a bundle (`dist/cli/`, or a chunk in `dist/`) sit at different depths.
 *
 * @param from the URL to start from (this module's own, unless a test points elsewhere)
 * @returns the `version` field, or `unknown` when no package.json of this package is found
 * @example
 * ```ts
 * packageVersion(); // '0.1.0'
 * ```
 */
export function packageVersion(from: string = import.meta.url): string {
  let dir = dirname(fileURLToPath(from));
  for (let depth = 0; depth < 5; depth += 1) {
    const version = versionIn(join(dir, 'package.json'));
    if (version !== null) return version;
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  return 'unknown';
}

/** The version in `file` when it is this package's package.json; null otherwise. */
function versionIn(file: string): string | null {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    // Absent or unreadable at this level: the caller looks one directory up.
    return null;
  }
  if (!parsed || typeof parsed !== 'object') return null;
  const { name, version } = parsed as { name?: unknown; version?: unknown };
  return name === PACKAGE_NAME && typeof version === 'string' ? version : null;
}

/**
 * Whether `argv` asks only for the version (`--version` or `-V`), so the process edge can answer
 * before importing the command.
 *
 * @example
 * ```ts
 * if (asksForVersionOnly(process.argv.slice(2))) process.stdout.write(`${packageVersion()}\n`);
 * ```
 */
export function asksForVersionOnly(argv: readonly string[]): boolean {
  return argv.length === 1 && (argv[0] === '--version' || argv[0] === '-V');
}
