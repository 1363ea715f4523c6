// The backoff math moved to core, next to the sync policy that uses it; kept for importers.
export { type BackoffPolicy, backoffDelay, DEFAULT_BACKOFF } from '@contacts/core';
