import { errorMessage } from '@contacts/core';
import { ContactsModuleError } from '../errors.js';
import { interruptedError } from './interrupt.js';
import type { OpenedDatabase } from './open-database.js';

/** How long a command waits for PostgreSQL to answer when nothing else is said: 10 s. */
export const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;

/**
 * Where the URL points, for a sentence: `host:port`, never the user or password. A multi-host URL
 * (no WHATWG URL) is described by its host list.
 */
export function describeServer(url: string): string {
  try {
    const parsed = new URL(url);
    return `PostgreSQL at ${parsed.hostname || 'localhost'}:${parsed.port || '5432'}`;
  } catch {
    const hosts = /^[a-z][a-z0-9+.-]*:\/\/(?:[^@/]*@)?([^/?#]*)/i.exec(url)?.[1];
    return hosts ? `PostgreSQL at ${hosts}` : 'PostgreSQL';
  }
}

const seconds = (ms: number) => `${Number((ms / 1000).toFixed(3))} s`;

function unreachable(url: string, timeoutMs: number, cause?: unknown): ContactsModuleError {
  return new ContactsModuleError(
    'DATABASE_UNREACHABLE',
    `Could not connect to ${describeServer(url)} within ${seconds(timeoutMs)}: it did not answer. Check --database-url (or CONTACTS_DATABASE_URL), or allow longer with --connect-timeout.`,
    { cause },
  );
}

function refused(url: string, error: unknown): ContactsModuleError {
  const code = (error as { code?: unknown } | null)?.code;
  const message = errorMessage(error);
  const detail = typeof code === 'string' && !message.includes(code) ? `${message} (${code})` : message;
  return new ContactsModuleError(
    'DATABASE_UNREACHABLE',
    `Could not connect to ${describeServer(url)}: ${detail}.`,
    {
      cause: error,
    },
  );
}

/**
 * Opens postgres.js on `url` and proves the connection with `select 1` before any command runs,
 * within `connectTimeoutMs` by a timer of our own: postgres.js' `connect_timeout` rejects only
 * the query of the connection that timed out, and a server that accepts and then hangs up makes
 * it reconnect for ever. An abort of `signal` stops the wait at once. On any failure the client
 * is ended before the error (a sentence naming host and port, never the password) is thrown.
 *
 * @throws ContactsModuleError `DATABASE_UNREACHABLE`, or `INTERRUPTED` when `signal` aborted.
 * @example
 * ```ts
 * const { db, close } = await connectPostgres('postgres://crm@db.internal/crm', { connectTimeoutMs: 5_000 });
 * ```
 */
export async function connectPostgres(
  url: string,
  options: { connectTimeoutMs?: number; signal?: AbortSignal } = {},
): Promise<OpenedDatabase> {
  const timeoutMs = options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
  const { signal } = options;
  if (signal?.aborted) throw interruptedError();
  const [{ default: postgres }, { drizzle }] = await Promise.all([
    import('postgres'),
    import('drizzle-orm/postgres-js'),
  ]);
  const client = postgres(url, { max: 4, onnotice: () => {}, connect_timeout: timeoutMs / 1000 });
  // Every query has been awaited by the time the command closes; a failed connect would
  // otherwise hold `end()` for its whole timeout.
  const close = () => client.end({ timeout: 0 });
  let timer: NodeJS.Timeout | undefined;
  let onAbort: (() => void) | undefined;
  try {
    await Promise.race([
      client`select 1`.execute(),
      // Referenced: this timer is what keeps the process waiting, and what ends the wait.
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(unreachable(url, timeoutMs)), timeoutMs);
      }),
      new Promise<never>((_, reject) => {
        onAbort = () => reject(interruptedError());
        signal?.addEventListener('abort', onAbort, { once: true });
      }),
    ]);
  } catch (error) {
    await close();
    if (error instanceof ContactsModuleError) throw error;
    if ((error as { code?: unknown } | null)?.code === 'CONNECT_TIMEOUT')
      throw unreachable(url, timeoutMs, error);
    throw refused(url, error);
  } finally {
    clearTimeout(timer);
    if (onAbort) signal?.removeEventListener('abort', onAbort);
  }
  return { db: drizzle(client), close };
}
