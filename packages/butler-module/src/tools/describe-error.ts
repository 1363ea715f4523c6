import { CoreError, errorMessage, ProviderError, SYNC_POLICY } from '@contacts/core';
import { ContactsModuleError } from '../errors.js';
import type { ContactsToolEnvironment } from './tool-context.js';

/**
 * One sentence about a failed sync that tells a person what happens next and what to do: for a
 * provider error, what core's sync policy (`SYNC_POLICY`) makes the engine do with its code.
 *
 * @example
 * ```ts
 * describeSyncError(new ProviderError('TEMPORARY', 'Google answered 503.'), env);
 * // 'The sync of google (default) failed for now: Google answered 503. The runtime retries on its own with backoff; ...'
 * ```
 */
export function describeSyncError(error: unknown, env: ContactsToolEnvironment): string {
  const { provider, account_id: account } = env.config;
  const where = `${provider} (${account})`;
  const message = errorMessage(error);
  let text: string;
  if (error instanceof CoreError && error.code === 'SYNC_IN_PROGRESS') {
    text = `A sync of ${where} is already running in another process; try again in a few minutes, or call contacts_sync_status to watch it.`;
  } else if (error instanceof ContactsModuleError) {
    text = message;
  } else if (error instanceof ProviderError) {
    text = describeByPolicy(error, where, provider, message);
  } else {
    text = `The sync of ${where} failed: ${message} Check contacts_sync_status and the butler logs.`;
  }
  return env.redact(text);
}

function describeByPolicy(error: ProviderError, where: string, provider: string, message: string): string {
  const policy = SYNC_POLICY[error.code];
  if (policy.afterCycle === 'wait_for_credentials') {
    return `${message} Syncing resumes on its own once new credentials are stored.`;
  }
  if (error.code === 'RATE_LIMITED') {
    return `${provider} is rate limiting requests (${message}); the runtime retries after the wait it asked for. Try again later.`;
  }
  if (error.code === 'PAGE_TOKEN_REFUSED') {
    return `The sync of ${where} failed for now: ${provider} refused a page token again after the listing had started over once (${message}). The next sync starts the listing over; the runtime runs it on its own with backoff; call contacts_sync_status to follow it.`;
  }
  if (policy.afterCycle === 'back_off') {
    return `The sync of ${where} failed for now: ${message} The runtime retries on its own with backoff; call contacts_sync_status to follow it.`;
  }
  // back_off_long: a request that cannot work as made is not hammered.
  return `The sync of ${where} failed: ${message} The runtime retries it only after its longest backoff (an hour), or when you call contacts_sync_now again. Check contacts_sync_status and the butler logs.`;
}

/**
 * The answer of a `contacts_sync_now` that the server's stop ended: after `pages` committed pages,
 * or before its cycle began (`pages` null). The checkpoint of the last committed page is where
 * the next start resumes.
 */
export function describeStoppedSync(env: ContactsToolEnvironment, pages: number | null): string {
  const { provider, account_id: account } = env.config;
  const progress = pages === null ? 'ended before it finished' : `ended after ${pages} committed page(s)`;
  return `The server is stopping, so this sync of ${provider} (${account}) ${progress}; it resumes from its last committed page when the server starts again.`;
}
