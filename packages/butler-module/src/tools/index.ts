import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { SUPPORTED_PROVIDERS } from '../module/default-registry.js';
import { registerSourceListTool } from './source-list.js';
import { registerSourceReconcileTool } from './source-reconcile.js';
import { registerSyncNowTool } from './sync-now.js';
import { registerSyncStatusTool } from './sync-status.js';
import type { ContactsToolContext } from './tool-context.js';

/**
 * The names of the tools {@link registerContactsTools} registers.
 *
 * @example
 * ```ts
 * CONTACTS_TOOL_NAMES.includes('contacts_sync_now'); // true
 * ```
 */
export const CONTACTS_TOOL_NAMES = [
  'contacts_sync_now',
  'contacts_sync_status',
  'contacts_source_list',
  'contacts_source_reconcile',
] as const;

/**
 * Registers the four contacts tools on an MCP server; `providers` (default: the default
 * registry's) are the names their `provider` argument takes. `ContactsModule.registerTools` calls this
 * with its own context; hosts that wire the runtime themselves can call it directly.
 *
 * @example
 * ```ts
 * const server = new McpServer({ name: 'relationship-butler', version: '1.0.0' });
 * registerContactsTools(server, () => ({ config, db, butlerSchema, clock, runtime, redact: (t) => t }));
 * ```
 */
export function registerContactsTools(
  server: McpServer,
  context: ContactsToolContext,
  providers: readonly string[] = SUPPORTED_PROVIDERS,
): void {
  registerSyncNowTool(server, context, providers);
  registerSyncStatusTool(server, context, providers);
  registerSourceListTool(server, context, providers);
  registerSourceReconcileTool(server, context, providers);
}

export type {
  ContactsToolContext,
  ContactsToolEnvironment,
  ContactsToolSource,
  FleetSyncRequests,
} from './tool-context.js';
