import { CoreError, errorMessage, ProviderError, SYNC_POLICY } from '@contacts/core';
import { SchemaError } from '@contacts/schema';
import { Command, CommanderError, Option } from 'commander';
import { ContactsModuleError, type ContactsModuleErrorCode } from '../errors.js';
import { defaultProviderRegistry } from '../module/default-registry.js';
import { authInputFlags } from './auth-flags.js';
import type { CliIo } from './cli-io.js';
import { type CommandContext, type CommandText, commandContext, commandText } from './command-context.js';
import type { AuthFlags } from './commands/auth.js';
import type { ReviewFlags } from './commands/review.js';
import type { SecretsRotateKeyFlags, SecretsSetFlags } from './commands/secrets.js';
import { HintedError } from './hinted-error.js';
import { ENV, type GlobalFlags, providerSettingFlags, resolveGlobals } from './options.js';
import { packageVersion } from './version.js';

/**
 * Exit codes of the `contacts` command: `ok` 0, `failed` 1 (the work failed, PostgreSQL could not
 * be reached, or a signal stopped it), `usage` 2 (bad flags or configuration: a person must fix
 * the command).
 *
 * @example
 * ```ts
 * const code = await main(['migrate'], { stdout: process.stdout, stderr: process.stderr, env: process.env });
 * if (code === EXIT.usage) console.error('fix the command line or butler.toml');
 * ```
 */
export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;

const CONFIGURATION_CODES = new Set<ContactsModuleErrorCode>([
  'USAGE',
  'INVALID_CONFIG',
  'UNSUPPORTED_PROVIDER',
  'CREDENTIAL_STORE_MISSING',
  'MISSING_CREDENTIALS',
  'DATA_DIR_LOCKED',
  'INVALID_SECRET',
  'PROVIDER_MISMATCH',
  'INVALID_SECRETS_KEY',
  'SECRETS_KEY_MISSING',
  'SECRETS_KEY_WRONG',
]);

function exitCodeOf(error: unknown): number {
  // A sync that failed at the source: the sync policy's table says (1 for every code today).
  if (error instanceof ProviderError) return SYNC_POLICY[error.code].exitCode;
  if (error instanceof ContactsModuleError)
    return CONFIGURATION_CODES.has(error.code) ? EXIT.usage : EXIT.failed;
  if (error instanceof SchemaError && error.code === 'INVALID_SCHEMA_NAME') return EXIT.usage;
  if (error instanceof CoreError && (error.code === 'INVALID_CONFIG' || error.code === 'UNKNOWN_PROVIDER')) {
    return EXIT.usage;
  }
  return EXIT.failed;
}

// Each subcommand's module is imported when it runs, not before: `status` never loads the MCP SDK
// (serve), the progress display (sync) or a provider's client (sync, serve, auth).
function buildProgram(
  text: CommandText,
  run: (action: (ctx: CommandContext) => Promise<number>, flags: GlobalFlags) => Promise<void>,
  argv: readonly string[],
) {
  const program = new Command('contacts')
    .description(
      'Keep a PostgreSQL CRM in step with your address books: migrate, store credentials, sync, report, serve MCP.',
    )
    .exitOverride()
    .configureOutput({
      writeOut: (out) => text.stdout.write(out),
      writeErr: (out) => text.stderr.write(out),
      outputError: (text, write) => {
        // `secrets set KEY -value...` makes commander quote the value as an unknown option: a
        // secret on stderr. Under `secrets`, never echo an argument.
        const safe = argv.includes('secrets')
          ? text.replace(
              /unknown option '[^']*'/g,
              'unknown option (not shown: it may be a secret; pass the value on stdin)',
            )
          : text;
        write(safe.startsWith('error:') ? `contacts: ${safe}` : safe);
      },
    })
    .showHelpAfterError('(run `contacts --help` for usage)')
    .version(packageVersion(), '-V, --version', 'print the version of @contacts/butler-module')
    .addOption(
      new Option(
        '--database-url <url>',
        `PostgreSQL URL (default: $${ENV.databaseUrl}, else an embedded database)`,
      ),
    )
    .addOption(
      new Option('--data-dir <dir>', 'directory of the embedded PGlite database').default('./.contacts'),
    )
    .addOption(
      new Option('--butler-schema <name>', 'Postgres schema of the butler tables').default('relationship'),
    )
    .addOption(
      new Option('--config <file>', 'butler.toml whose [modules.contacts] table configures the sync'),
    )
    .addOption(
      new Option(
        '--connect-timeout <seconds>',
        `how long to wait for PostgreSQL to answer (default 10; $${ENV.connectTimeoutSeconds})`,
      ),
    )
    .addOption(
      new Option(
        '--secrets-key-file <file>',
        `file holding the key butler_secrets is encrypted with, readable by you only ($${ENV.secretsKeyFile}, or the key itself in $${ENV.secretsKey})`,
      ),
    )
    .addOption(new Option('-v, --verbose', 'debug logs on stderr'));
  // Each registered provider's settings that the environment may give, as flags too.
  for (const setting of providerSettingFlags(defaultProviderRegistry())) {
    program.addOption(
      new Option(`${setting.flag} <value>`, `${setting.env.description} ($${setting.env.name})`),
    );
  }

  const globals = (command: Command) => command.optsWithGlobals<GlobalFlags>();

  program
    .command('migrate')
    .description('create or upgrade the contacts tables (idempotent)')
    .action((_options, command: Command) =>
      run(async (ctx) => (await import('./commands/migrate.js')).migrateCommand(ctx), globals(command)),
    );

  const auth = program
    .command('auth')
    .description(
      'connect an account (a consent in a browser, or a password the server checks), then store its credentials',
    )
    .argument('<provider>', `the provider (${defaultProviderRegistry().names().join(', ')})`)
    .addOption(
      new Option('--source <provider[:account]>', 'the source to connect when several are configured'),
    )
    .addOption(new Option('--no-browser', 'print the URL only; do not open a browser'))
    .addOption(
      new Option('--timeout <seconds>', 'how long to wait for the consent or the server (default 300)'),
    );
  for (const input of authInputFlags(defaultProviderRegistry().descriptors())) {
    auth.addOption(
      new Option(`--${input.flag} <value>`, `${input.field}${input.env ? ` ($${input.env})` : ''}`),
    );
  }
  auth.action((provider: string, options: AuthFlags, command: Command) =>
    run(
      async (ctx) => (await import('./commands/auth.js')).authCommand(ctx, provider, options),
      globals(command),
    ),
  );

  const secrets = program.command('secrets').description('manage the credential store (butler_secrets)');
  secrets
    .command('set')
    .description('store a secret; without VALUE it is read from stdin (keeps it out of shell history)')
    .argument(
      '<key>',
      'a credential key, e.g. one `contacts secrets list` names as missing (KEY@account for an account other than default)',
    )
    .argument('[value]', 'the secret value')
    .option(
      '--category <name>',
      'group shown in listings (default: the provider whose key it is, else general)',
    )
    .option('--description <text>', 'what the secret is for')
    .option('--no-sensitive', 'mark the value as not sensitive')
    .option('--expires-at <iso>', 'after this instant the secret counts as missing')
    .action((key: string, value: string | undefined, options: SecretsSetFlags, command: Command) =>
      run(
        async (ctx) => (await import('./commands/secrets.js')).secretsSetCommand(ctx, key, value, options),
        globals(command),
      ),
    );
  secrets
    .command('list')
    .description('list secrets without their values (and whether each is encrypted)')
    .option('--json', 'print JSON')
    .option(
      '--source <provider[:account]>',
      'say which keys this source lacks (default: every configured source)',
    )
    .action((options: { json?: boolean; source?: string }, command: Command) =>
      run(
        async (ctx) => (await import('./commands/secrets.js')).secretsListCommand(ctx, options),
        globals(command),
      ),
    );
  secrets
    .command('delete')
    .description('delete a secret (e.g. an account you no longer sync); says whether it was there')
    .argument('<key>', 'the key to delete')
    .action((key: string, _options: unknown, command: Command) =>
      run(
        async (ctx) => (await import('./commands/secrets.js')).secretsDeleteCommand(ctx, key),
        globals(command),
      ),
    );
  secrets
    .command('rotate-key')
    .description(
      'encrypt every secret with a new key, in one transaction (the current key from --secrets-key-file or its variables)',
    )
    .option(
      '--new-key-file <file>',
      `file holding the new key, readable by you only ($${ENV.secretsNewKeyFile}, or the key itself in $${ENV.secretsNewKey})`,
    )
    .action((options: SecretsRotateKeyFlags, command: Command) =>
      run(
        async (ctx) => (await import('./commands/secrets.js')).secretsRotateKeyCommand(ctx, options),
        globals(command),
      ),
    );

  program
    .command('sync')
    .description('run one sync now (incremental, or full when there is no cursor yet)')
    .option('--full', 'force a full sync')
    .option(
      '--confirm-deletions',
      'apply the deletions `contacts status` shows as held (after checking they were deleted at the source)',
    )
    .option('--json', 'print the summary as JSON')
    .option('--source <provider[:account]>', 'the source to sync, when several are configured')
    .action(
      (
        options: { full?: boolean; json?: boolean; confirmDeletions?: boolean; source?: string },
        command: Command,
      ) =>
        run(async (ctx) => (await import('./commands/sync.js')).syncCommand(ctx, options), globals(command)),
    );

  program
    .command('status')
    .description('show the sync status of the configured account')
    .option('--json', 'print JSON (the contacts_sync_status shape)')
    .option('--source <provider[:account]>', 'the source to report, when several are configured')
    .action((options: { json?: boolean; source?: string }, command: Command) =>
      run(
        async (ctx) => (await import('./commands/status.js')).statusCommand(ctx, options),
        globals(command),
      ),
    );

  program
    .command('review')
    .description('list what a person should look at: conflicts, ambiguous names, failed contacts')
    .option('--json', 'print JSON')
    .option('--source <provider[:account]>', 'the source to review, when several are configured')
    .option('--limit <n>', 'the most items of each kind (default 100)')
    .action((options: ReviewFlags, command: Command) =>
      run(
        async (ctx) => (await import('./commands/review.js')).reviewCommand(ctx, options),
        globals(command),
      ),
    );

  program
    .command('serve')
    .description('serve the four MCP tools on stdio with the sync runtime running (logs on stderr)')
    .action((_options, command: Command) =>
      run(async (ctx) => (await import('./commands/serve.js')).serveCommand(ctx), globals(command)),
    );

  program
    .command('worker')
    .description('run a sync worker of a fleet: syncs from the job queue in the database until signalled')
    .option('--concurrency <n>', 'syncs at once in this process (default 2)')
    .option(
      '--sweep-interval <seconds>',
      'seconds between sweeps of due accounts into jobs (default 15; 0: never)',
    )
    .action((options: { concurrency?: string; sweepInterval?: string }, command: Command) =>
      run(
        async (ctx) => (await import('./commands/worker.js')).workerCommand(ctx, options),
        globals(command),
      ),
    );

  return program;
}

/**
 * The `contacts` command, runnable in-process: parses `argv` (without `node` and the script),
 * runs the subcommand and resolves with the exit code: 0 ok, 1 sync failed (or any runtime
 * failure), 2 usage or configuration error. Errors are one line on stderr, never with a secret.
 *
 * @example
 * ```ts
 * const stdout = new PassThrough();
 * const code = await main(['status', '--json', '--database-url', url], { stdout, stderr: process.stderr, env: {} });
 * ```
 */
export async function main(argv: readonly string[], io: CliIo): Promise<number> {
  let exitCode: number = EXIT.ok;
  let context: CommandContext | null = null;
  const text = commandText(io);
  const program = buildProgram(
    text,
    async (action, flags) => {
      context = commandContext(io, resolveGlobals(flags, io), text);
      exitCode = await action(context);
    },
    argv,
  );
  if (argv.length === 0) {
    program.outputHelp({ error: true });
    return EXIT.usage;
  }
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      if (
        error.code === 'commander.helpDisplayed' ||
        error.code === 'commander.help' ||
        error.code === 'commander.version'
      ) {
        return EXIT.ok;
      }
      return EXIT.usage;
    }
    const failure = error instanceof HintedError ? error.cause : error;
    const message = errorMessage(failure);
    const redacted = (context as CommandContext | null)?.redactor.redact(message) ?? message;
    text.stderr.write(`contacts: ${redacted.replace(/\s*\n\s*/g, ' ')}\n`);
    if (error instanceof HintedError) text.stderr.write(`${error.hint}\n`);
    return exitCodeOf(failure);
  }
}

export type { CliIo, OutputStream } from './cli-io.js';
export { type OpenedDatabase, openDatabase } from './open-database.js';
export type { DatabaseTarget } from './options.js';
