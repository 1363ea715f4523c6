import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { ErrorCode, type JSONRPCMessage, type RequestId } from '@modelcontextprotocol/sdk/types.js';
import packageJson from '../../../package.json' with { type: 'json' };
import { DbCredentialStore } from '../../credentials/db-credential-store.js';
import { ContactsModuleError } from '../../errors.js';
import { ContactsModule } from '../../module/contacts-module.js';
import { CONTACTS_TOOL_NAMES } from '../../tools/index.js';
import { type CommandContext, withDatabase } from '../command-context.js';
import { loadCliConfig } from '../load-config.js';
import { syncLeaseTtlMs } from '../options.js';
import { currentSecretsKey } from '../secrets-key-source.js';
import { BoundedStdioServerTransport, MAX_MCP_MESSAGE_BYTES } from '../stdio-transport.js';

/**
 * How long a stopping server waits, once the runtime has stopped, for tool calls still running
 * (a status query) to answer on their own before it answers them itself.
 */
const IN_FLIGHT_GRACE_MS = 2_000;

const STOPPING =
  'The contacts server is stopping, so this call was not completed; call it again once the server is back. A sync in progress resumes from its last committed page when the server starts again.';

/** The answer a request still in flight gets from a stopping server: a tool error, or a JSON-RPC error. */
function stoppingAnswer(id: RequestId, method: string): JSONRPCMessage {
  if (method === 'tools/call') {
    return { jsonrpc: '2.0', id, result: { content: [{ type: 'text', text: STOPPING }], isError: true } };
  }
  return { jsonrpc: '2.0', id, error: { code: ErrorCode.InternalError, message: STOPPING } };
}

/**
 * `contacts serve`: the module as an MCP server on stdio, with the sync runtime running. Stdout
 * carries the protocol and nothing else; logs go to stderr. Ends when stdin closes, the client
 * disconnects or the process is signalled, after the runtime stopped (its page in flight commits)
 * and every tool call in flight was answered: by its tool (a sync says where it stopped) or, past
 * a short grace, with an error saying the server is stopping. A message over
 * {@link MAX_MCP_MESSAGE_BYTES} is refused with a JSON-RPC error and a log line; serving goes on.
 */
export async function serveCommand(ctx: CommandContext): Promise<number> {
  const { butlerSchema, configPath, settingsOverrides } = ctx.globals;
  const config = await loadCliConfig(configPath, ctx.globals.configLabel);
  const stdin = ctx.io.stdin;
  if (!stdin)
    throw new ContactsModuleError(
      'USAGE',
      '`contacts serve` needs a standard input to read MCP messages from.',
    );
  const lockTtlMs = syncLeaseTtlMs(ctx.io);
  const secretsKey = currentSecretsKey(ctx.io, ctx.globals.secretsKeyFile, ctx.redactor);
  const logger = ctx.logger('info');
  return withDatabase(ctx, { migrateFirst: true, handlesSignal: true }, async (db) => {
    const module = new ContactsModule();
    await module.onStartup({
      config,
      db,
      butlerSchema,
      // The module's startup verifies the key (and encrypts plain-text secrets) before reading one.
      credentialStore: new DbCredentialStore({ db, butlerSchema, secretsKey }),
      logger,
      settingsOverrides,
      runtime: { lockTtlMs },
    });
    const server = new McpServer({ name: 'contacts', version: packageJson.version });
    module.registerTools(server);
    const transport = new BoundedStdioServerTransport(stdin, ctx.io.stdout, {
      onOversized: ({ bytes, limitBytes, id }) =>
        logger.warn('contacts_mcp_message_refused', {
          size_bytes: bytes,
          limit_bytes: limitBytes,
          request_id: id,
          message: `An MCP message of ${bytes} bytes was refused (the limit is ${limitBytes} bytes)${id === undefined ? '; it had no readable id, so no error response was sent' : '; its request got an error response'}. Serving goes on.`,
        }),
    });
    server.server.onerror = (error) =>
      logger.warn('contacts_mcp_protocol_error', { error: error.message.slice(0, 300) });
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
      logger.info('contacts_mcp_stopping', { reason, calls_in_flight: transport.pendingRequests });
    } finally {
      stdin.off('end', onEnd);
      stdin.off('close', onEnd);
      ctx.io.signal?.removeEventListener('abort', onAbort);
      // Stopping the runtime ends a sync in flight after its page: its contacts_sync_now answers
      // with where it stopped. Closing the server first would drop that answer (the SDK aborts
      // the handlers of a closed connection), leaving the client waiting for ever.
      await module.onShutdown();
      if (!(await transport.whenAnswered(IN_FLIGHT_GRACE_MS))) {
        const answered = await transport.answerPending(stoppingAnswer);
        logger.warn('contacts_mcp_calls_answered_stopping', { calls: answered.length });
      }
      await server.close();
    }
    return 0;
  });
}
