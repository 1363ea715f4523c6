import { CoreError, errorMessage, ProviderError } from '@contacts/core';
import { ContactsModuleError } from '../errors.js';
import type { ContactsToolEnvironment } from './tool-context.js';

/** One sentence about a failed sync that tells a person what happens next and what to do. */
export function describeSyncError(error: unknown, env: ContactsToolEnvironment): string {
  const { provider, account_id: account } = env.config;
  const where = `${provider} (${account})`;
  const message = errorMessage(error);
  let text: string;
  if (error instanceof CoreError && error.code === 'SYNC_IN_PROGRESS') {
    text = `A sync of ${where} is already running in another process; try again in a few minutes, or call contacts_sync_status to watch it.`;
  } else if (error instanceof ProviderError && error.code === 'AUTH_FAILED') {
    text = `${message} Syncing resumes on its own once new credentials are stored.`;
  } else if (error instanceof ContactsModuleError) {
    text = message;
  } else if (error instanceof ProviderError && error.code === 'RATE_LIMITED') {
    text = `${provider} is rate limiting requests (${message}); the runtime retries after the wait it asked for. Try again later.`;
  } else if (error instanceof ProviderError && error.retryable) {
    text = `The sync of ${where} failed for now: ${message} The runtime retries on its own with backoff; call contacts_sync_status to follow it.`;
  } else {
    text = `The sync of ${where} failed: ${message} Check contacts_sync_status and the butler logs.`;
  }
  return env.redact(text);
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
