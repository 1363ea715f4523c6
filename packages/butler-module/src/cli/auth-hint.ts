import { type ParkedReason, PROVIDER_ERROR_CODES, SYNC_POLICY } from '@contacts/core';

/**
 * The command that gives a source new credentials: `contacts auth <provider> --source
 * <provider>:<account>`. Generic: the provider's name comes from the source, so every provider
 * whose descriptor the `auth` command knows is named the same way.
 *
 * @example
 * ```ts
 * authCommandFor('google', 'work'); // 'contacts auth google --source google:work'
 * ```
 */
export function authCommandFor(provider: string, accountId: string): string {
  return `contacts auth ${provider} --source ${provider}:${accountId}`;
}

/**
 * Whether a source waits for a person to authorise it again: parked for `auth`, or its last
 * stored error has a code the sync policy shows as `auth_error` (AUTH_FAILED today).
 *
 * @example
 * ```ts
 * needsAuthorisation({ parkedReason: null, lastErrorCode: 'AUTH_FAILED' }); // true
 * ```
 */
export function needsAuthorisation(state: {
  parkedReason: ParkedReason | null;
  lastErrorCode: string | null;
}): boolean {
  if (state.parkedReason === 'auth') return true;
  const known = PROVIDER_ERROR_CODES.find((code) => code === state.lastErrorCode);
  return known !== undefined && SYNC_POLICY[known].sourceStatus === 'auth_error';
}
