import type { LogFields, Logger } from '@contacts/core';

/** Log levels, least severe first. */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
const ORDER: Record<LogLevel, number> = { debug: 0, info: 1, warn: 2, error: 3 };

function formatValue(value: unknown): string {
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'string') return /^[^\s"=]+$/.test(value) ? value : JSON.stringify(value);
  return JSON.stringify(value) ?? 'undefined';
}

/**
 * A logger writing one readable line per event (`<time> <level> <event> key=value ...`) to a
 * stream: the command's stderr, so `serve` keeps stdout for the protocol alone. The command hands
 * it a `terminalText` stream, so values from upstream (names, server errors) cannot drive
 * the terminal.
 *
 * @example
 * ```ts
 * const logger = streamLogger(terminalText(process.stderr), 'info');
 * logger.info('contacts_sync_started', { provider: 'google' });
 * // 2026-03-01T08:00:00.000Z info contacts_sync_started provider=google
 * ```
 */
export function streamLogger(
  stream: { write(text: string): unknown },
  level: LogLevel,
  now: () => Date = () => new Date(),
): Logger {
  const write =
    (at: LogLevel) =>
    (message: string, fields?: LogFields): void => {
      if (ORDER[at] < ORDER[level]) return;
      const pairs = Object.entries(fields ?? {})
        .filter(([, v]) => v !== undefined)
        .map(([k, v]) => `${k}=${formatValue(v)}`);
      stream.write(`${[now().toISOString(), at, message, ...pairs].join(' ')}\n`);
    };
  return { debug: write('debug'), info: write('info'), warn: write('warn'), error: write('error') };
}
