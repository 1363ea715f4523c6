import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { type ContactsToolEnvironment, environmentSources } from './tool-context.js';
import { toolError } from './tool-result.js';

/**
 * `provider (account)` of every configured source, for sentences.
 *
 * @example
 * ```ts
 * configuredSourceList(env); // 'google (default), memory (home)'
 * ```
 */
export function configuredSourceList(env: ContactsToolEnvironment): string {
  return environmentSources(env)
    .map((s) => `${s.config.provider} (${s.config.account_id})`)
    .join(', ');
}

/**
 * The environment narrowed to the one source `provider` and `account_id` name (either may be
 * left out when the rest is unambiguous), or the tool error listing the configured sources.
 *
 * @example
 * ```ts
 * const { env: one, error } = selectSource(env, 'google', 'work');
 * if (error) return error;
 * await one.runtime?.syncNow();
 * ```
 */
export function selectSource(
  env: ContactsToolEnvironment,
  provider: string | undefined,
  accountId: string | undefined,
): { env: ContactsToolEnvironment; error?: undefined } | { env?: undefined; error: CallToolResult } {
  const sources = environmentSources(env);
  const matches = sources.filter(
    (s) =>
      (provider === undefined || s.config.provider === provider) &&
      (accountId === undefined || s.config.account_id === accountId),
  );
  const match = matches[0];
  if (match && matches.length === 1) return { env: { ...env, config: match.config, runtime: match.runtime } };
  const asked = [provider, accountId === undefined ? undefined : `account "${accountId}"`]
    .filter(Boolean)
    .join(' ');
  if (matches.length === 0) {
    return {
      error: toolError(
        `No configured contacts source is ${asked}: this butler syncs ${configuredSourceList(env)}. Pass the provider and account_id of one of them.`,
      ),
    };
  }
  return {
    error: toolError(
      `${matches.length} configured contacts sources match${asked ? ` ${asked}` : ''}: ${matches
        .map((s) => `${s.config.provider} (${s.config.account_id})`)
        .join(', ')}. Pass provider and account_id to pick one.`,
    ),
  };
}
