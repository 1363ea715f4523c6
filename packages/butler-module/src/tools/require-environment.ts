import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import type { ContactsSyncRuntime } from '../runtime/sync-runtime.js';
import { selectSource } from './select-source.js';
import type { ContactsToolContext, ContactsToolEnvironment } from './tool-context.js';
import { toolError } from './tool-result.js';

const NOT_STARTED =
  'The contacts sync runtime is not running: the contacts module has not started (or has shut down). Check the butler logs for a startup error, fix it and restart the butler.';

/** The environment, or the tool error to answer with while the module does not run. */
export function requireEnvironment(
  context: ContactsToolContext,
): { env: ContactsToolEnvironment; error?: undefined } | { env?: undefined; error: CallToolResult } {
  const env = context();
  return env ? { env } : { error: toolError(NOT_STARTED) };
}

/**
 * The environment narrowed to the source `provider` and `account_id` name, or the tool error to
 * answer with while the module does not run or when they name no single configured source.
 */
export function requireSource(
  context: ContactsToolContext,
  provider?: string,
  accountId?: string,
): { env: ContactsToolEnvironment; error?: undefined } | { env?: undefined; error: CallToolResult } {
  const { env, error } = requireEnvironment(context);
  if (error) return { error };
  return selectSource(env, provider, accountId);
}

/**
 * In fleet mode, sends a sync job for the source named and answers what to tell the caller; null
 * when the module runs its own runtimes (the caller goes on with {@link requireRuntime}).
 */
export async function requestFleetSync(
  env: ContactsToolEnvironment,
  reason: 'trigger' | 'reconcile',
): Promise<{ note: string } | null> {
  if (!env.fleet) return null;
  const { provider, account_id: accountId } = env.config;
  await env.fleet.request({ provider, accountId, reason });
  return {
    note: `A sync of ${provider} (${accountId}) was queued for the sync workers (fleet mode), ahead of the due syncs; call contacts_sync_status to follow it.`,
  };
}

/** The running runtime of the source named, or the tool error to answer with when sync is disabled or the module is down. */
export function requireRuntime(
  context: ContactsToolContext,
  provider?: string,
  accountId?: string,
):
  | { env: ContactsToolEnvironment; runtime: ContactsSyncRuntime; error?: undefined }
  | { env?: undefined; runtime?: undefined; error: CallToolResult } {
  const { env, error } = requireSource(context, provider, accountId);
  if (error) return { error };
  if (!env.runtime) {
    return {
      error: toolError(
        `The contacts sync runtime is not running: sync is disabled for ${env.config.provider} ([modules.contacts] sync.enabled = false). Set sync.enabled = true in butler.toml and restart the butler to sync.`,
      ),
    };
  }
  return { env, runtime: env.runtime };
}
