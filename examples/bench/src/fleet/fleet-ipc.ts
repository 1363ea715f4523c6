/**
 * What the fleet benchmark's parent tells a worker process: where the database and the emulator
 * are, which accounts exist, how many jobs it runs at once and the upstream cap.
 *
 * @example
 * ```ts
 * const config: FleetWorkerConfig = { kind: 'start', workerId: 'w1', databaseUrl, rootUrl, tokenUrl, seed: 1, accounts: 1000, clients: 2, concurrency: 2, cap: 4 };
 * ```
 */
export interface FleetWorkerConfig {
  kind: 'start';
  workerId: string;
  databaseUrl: string;
  rootUrl: string;
  tokenUrl: string;
  seed: number;
  accounts: number;
  clients: number;
  concurrency: number;
  cap: number;
}

/**
 * A worker's messages: `ready` once polling, one `job` per finished job (its sync's start and end
 * in epoch ms), `stats` (CPU and statements so far) when asked.
 *
 * @example
 * ```ts
 * const message: FleetWorkerMessage = { kind: 'job', key: 'google:account-1', outcome: 'synced', upstream: 'google:ab12', start: 1, end: 2 };
 * ```
 */
export type FleetWorkerMessage =
  | { kind: 'ready' }
  | {
      kind: 'job';
      key: string;
      outcome: string;
      upstream: string;
      /** When the sync opened the account (no start for a job the gate deferred or skipped). */
      start: number | null;
      end: number;
      error?: string;
    }
  | { kind: 'stats'; cpuMs: number; statements: number };

/** Parent to worker: report stats, or stop. */
export type FleetParentMessage = FleetWorkerConfig | { kind: 'stats' } | { kind: 'stop' };

/** The id of fleet account `index`. */
export const fleetAccountId = (index: number): string => `account-${index}`;
