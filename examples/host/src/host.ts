import {
  type ContactsDatabase,
  ContactsModule,
  DbCredentialStore,
  type Logger,
} from '@contacts/butler-module';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { parse } from 'smol-toml';
import { z } from 'zod';

/** What a butler host has when it loads its modules. */
export interface HostOptions {
  /** The text of the host's `butler.toml`. */
  butlerToml: string;
  db: ContactsDatabase;
  logger: Logger;
  /** Where the butler keeps its own tables (and the module's). */
  butlerSchema?: string;
  /** Point the Google provider at an emulator (tests, demos). */
  google?: { rootUrl: string; tokenUrl: string };
  /**
   * The key `butler_secrets` is encrypted with (32 random bytes as base64 or hex), kept outside
   * the database: without it the secrets are stored in plain text.
   */
  secretsKey?: string;
}

/** A running host: its MCP server (the host's own tool plus the module's four) and a stop(). */
export interface Host {
  server: McpServer;
  stop(): Promise<void>;
}

/**
 * A minimal butler host: reads `butler.toml`, migrates and starts the contacts module with the
 * host's database, credential store and logger, and serves the module's tools next to its own
 * from one MCP server.
 *
 * @example
 * ```ts
 * const host = await startHost({ butlerToml, db, logger });
 * await host.server.connect(new StdioServerTransport());
 * ```
 */
export async function startHost(options: HostOptions): Promise<Host> {
  const butlerSchema = options.butlerSchema ?? 'relationship';
  const toml = parse(options.butlerToml) as { butler?: { name?: string }; modules?: Record<string, unknown> };
  const server = new McpServer({ name: toml.butler?.name ?? 'butler', version: '0.0.0' });

  // The host's own tool, to show the module's tools live beside the host's.
  server.registerTool(
    'butler_ping',
    {
      title: 'Ping the butler',
      description: 'Answers with the butler name and its loaded modules. Use it to check the host is up.',
      inputSchema: z.object({}),
      outputSchema: z.object({ butler: z.string(), modules: z.array(z.string()) }),
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    async () => {
      const result = { butler: toml.butler?.name ?? 'butler', modules: ['contacts'] };
      return { structuredContent: result, content: [{ type: 'text', text: JSON.stringify(result) }] };
    },
  );

  const contacts = new ContactsModule();
  await contacts.migrate(options.db, { butlerSchema });
  await contacts.onStartup({
    config: toml.modules?.contacts,
    db: options.db,
    butlerSchema,
    credentialStore: new DbCredentialStore({ db: options.db, butlerSchema, secretsKey: options.secretsKey }),
    logger: options.logger,
    googleRootUrl: options.google?.rootUrl,
    googleTokenUrl: options.google?.tokenUrl,
  });
  contacts.registerTools(server);
  return {
    server,
    stop: async () => {
      await contacts.onShutdown();
      await server.close();
    },
  };
}
