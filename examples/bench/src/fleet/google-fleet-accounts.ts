import { type Clock, descriptorUpstream, type Logger, silentLogger, systemClock } from '@contacts/core';
import type { SyncAccount, SyncJobData } from '@contacts/fleet';
import { type GoogleSettings, googleProviderDescriptor } from '@contacts/provider-google';

/**
 * Where one Google account of a fleet lives: the People API root and token endpoint (an
 * emulator's), and its OAuth client and refresh token.
 *
 * @example
 * ```ts
 * const account: GoogleFleetAccount = { rootUrl: emulator.url, tokenUrl: emulator.tokenUrl, credentials: emulator.fleet!.credentials(0) };
 * ```
 */
export interface GoogleFleetAccount {
  rootUrl: string;
  tokenUrl: string;
  credentials: { clientId: string; clientSecret: string; refreshToken: string };
}

/**
 * What a sync worker needs of a fleet of Google accounts: `openAccount` builds each account's
 * provider through the registered descriptor (as the module does), and `upstreamOf` names its
 * upstream through `descriptorUpstream` (a hash of the API root and OAuth client), so the gate
 * caps and pauses accounts per OAuth client.
 *
 * @example
 * ```ts
 * const { openAccount, upstreamOf } = googleFleetWorkerAccounts(accounts);
 * await startSyncWorker({ jobs, db, schedule, openAccount, upstreamOf, gate });
 * ```
 */
export function googleFleetWorkerAccounts(
  accounts: ReadonlyMap<string, GoogleFleetAccount>,
  options: { logger?: Logger; clock?: Clock } = {},
): {
  openAccount(data: SyncJobData): Promise<SyncAccount>;
  upstreamOf(data: SyncJobData): string;
} {
  const context = (data: SyncJobData) => {
    const account = accounts.get(data.accountId);
    if (!account) throw new Error(`No fleet account ${data.accountId}.`);
    const settings: GoogleSettings = googleProviderDescriptor.settings.parse({
      root_url: account.rootUrl,
      token_url: account.tokenUrl,
    });
    return { accountId: data.accountId, settings, credentials: { ...account.credentials } };
  };
  return {
    openAccount: async (data) => ({
      provider: await googleProviderDescriptor.create({
        ...context(data),
        logger: options.logger ?? silentLogger,
        clock: options.clock ?? systemClock,
      }),
    }),
    upstreamOf: (data) => descriptorUpstream(googleProviderDescriptor, context(data)),
  };
}
