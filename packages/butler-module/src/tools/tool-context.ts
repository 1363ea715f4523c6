import type { Clock, ContactsConfig } from '@contacts/core';
import type { ContactsDatabase } from '@contacts/schema';
import type { ContactsSyncRuntime } from '../runtime/sync-runtime.js';

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
