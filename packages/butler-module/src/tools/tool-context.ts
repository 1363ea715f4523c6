import type { Clock, ContactsConfig } from '@contacts/core';
import type { ContactsDatabase } from '@contacts/schema';
import type { ContactsSyncRuntime } from '../runtime/sync-runtime.js';
import type { ReadSyncStatusOptions } from '../status/sync-status.js';

/**
 * What the tools work with while the module runs.
 *
 * @example
 * ```ts
 * const environment: ContactsToolEnvironment = { config, db, butlerSchema, clock: systemClock, runtime, redact: (t) => t };
 * ```
 */
export interface ContactsToolEnvironment {
  config: ContactsConfig;
  db: ContactsDatabase;
  butlerSchema: string;
  clock: Clock;
  /** Null when `sync.enabled = false`: status still reads the database, actions refuse. */
  runtime: ContactsSyncRuntime | null;
  /** Blanks known secrets out of text a tool returns. */
  redact(text: string): string;
  /**
   * Every configured source with its runtime (null with sync disabled); `config` and `runtime`
   * above are the first. Absent: the one source of `config`.
   */
  sources?: readonly ContactsToolSource[];
  /**
   * Fleet mode: workers on a job queue sync the sources, this process runs no runtime; the tools
   * send sync requests as jobs and show the queue. Absent: the single-host runtime.
   */
  fleet?: FleetSyncRequests;
}

/**
 * What a module in fleet mode asks of the job queue (`@contacts/butler-module/worker` builds it on
 * `@contacts/fleet`, so a single-host butler never loads the job engine).
 *
 * @example
 * ```ts
 * const fleet: FleetSyncRequests = { jobSchema: 'relationship_jobs', request: async (r) => void (await requestSync(jobs, r)) };
 * ```
 */
export interface FleetSyncRequests {
  /** The job engine's schema, whose queue `contacts status` and `contacts_sync_status` show. */
  jobSchema: string;
  /** Sends a high-priority sync job for one account (one follow-up at most while it syncs). */
  request(request: { provider: string; accountId: string; reason: 'trigger' | 'reconcile' }): Promise<void>;
}

/**
 * One configured source as the tools see it.
 *
 * @example
 * ```ts
 * const source: ContactsToolSource = { config, runtime };
 * ```
 */
export interface ContactsToolSource {
  /** The source's provider, account and schedule. */
  config: ContactsConfig;
  runtime: ContactsSyncRuntime | null;
}

/**
 * Every source of `env`, in configuration order.
 *
 * @example
 * ```ts
 * environmentSources(env).map((s) => s.config.account_id); // ['default', 'work']
 * ```
 */
export function environmentSources(env: ContactsToolEnvironment): readonly ContactsToolSource[] {
  return env.sources ?? [{ config: env.config, runtime: env.runtime }];
}

/** The account the environment syncs, as the status tools read it. */
export function statusOptions(env: ContactsToolEnvironment): ReadSyncStatusOptions {
  return {
    db: env.db,
    butlerSchema: env.butlerSchema,
    provider: env.config.provider,
    accountId: env.config.account_id,
    syncEnabled: env.config.sync.enabled,
    runtime: env.runtime,
    clock: env.clock,
  };
}

/**
 * Looked up on every call, so tools registered before `onStartup` (or kept after `onShutdown`)
 * answer with a clear error instead of touching a closed database. Null while not running.
 *
 * @example
 * ```ts
 * registerContactsTools(server, () => (started ? environment : null));
 * ```
 */
export type ContactsToolContext = () => ContactsToolEnvironment | null;
