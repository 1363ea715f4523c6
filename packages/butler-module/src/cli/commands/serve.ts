import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import packageJson from '../../../package.json' with { type: 'json' };
import { DbCredentialStore } from '../../credentials/db-credential-store.js';
import { ContactsModuleError } from '../../errors.js';
import { ContactsModule } from '../../module/contacts-module.js';
import { CONTACTS_TOOL_NAMES } from '../../tools/index.js';
import { type CommandContext, withDatabase } from '../command-context.js';
import { loadCliConfig } from '../load-config.js';
import { syncLeaseTtlMs } from '../options.js';
import { currentSecretsKey } from '../secrets-key-source.js';

/**
 * `contacts serve`: the module as an MCP server on stdio, with the sync runtime running. Stdout
 * carries the protocol and nothing else; logs go to stderr. Ends when stdin closes, the client
 * disconnects or the process is signalled, after the runtime stopped (its page in flight commits).
 */
export async function serveCommand(ctx: CommandContext): Promise<number> {
  const { butlerSchema, googleRootUrl, googleTokenUrl, configPath } = ctx.globals;
  const config = await loadCliConfig(configPath);
  const stdin = ctx.io.stdin;
  if (!stdin)
    throw new ContactsModuleError(
      'USAGE',
      '`contacts serve` needs a standard input to read MCP messages from.',
    );
  const lockTtlMs = syncLeaseTtlMs(ctx.io);
  const secretsKey = currentSecretsKey(ctx.io, ctx.globals.secretsKeyFile, ctx.redactor);
  const logger = ctx.logger('info');
  return withDatabase(ctx, { migrateFirst: true }, async (db) => {
    const module = new ContactsModule();
    await module.onStartup({
      config,
      db,
      butlerSchema,
      // The module's startup verifies the key (and encrypts plain-text secrets) before reading one.
      credentialStore: new DbCredentialStore({ db, butlerSchema, secretsKey }),
      logger,
      googleRootUrl,
      googleTokenUrl,
      runtime: { lockTtlMs },
    });
    const server = new McpServer({ name: 'contacts', version: packageJson.version });
    module.registerTools(server);
    const transport = new StdioServerTransport(stdin, ctx.io.stdout);
    let finish!: (reason: string) => void;
    const finished = new Promise<string>((resolve) => {
      finish = resolve;
    });
    const onAbort = () => finish('signal');
    const onEnd = () => finish('stdin closed');
    stdin.once('end', onEnd);
    stdin.once('close', onEnd);
    ctx.io.signal?.addEventListener('abort', onAbort, { once: true });
    // A signal that came during startup fired before anyone listened.
    if (ctx.io.signal?.aborted) onAbort();
    try {
      server.server.onclose = () => finish('client disconnected');
      await server.connect(transport);
      logger.info('contacts_mcp_serving', {
        transport: 'stdio',
        tools: [...CONTACTS_TOOL_NAMES],
        butler_schema: butlerSchema,
      });
      const reason = await finished;
      logger.info('contacts_mcp_stopping', { reason });
    } finally {
      stdin.off('end', onEnd);
      stdin.off('close', onEnd);
      ctx.io.signal?.removeEventListener('abort', onAbort);
      await module.onShutdown();
      await server.close();
    }
    return 0;
  });
}
