import type { LogFields, Logger } from '@contacts/core';

/**
 * Remembers the secret values this process has read and blanks them out of any text: a second
 * line of defence behind providers that already keep secrets out of their messages, applied to
 * every log line and tool result the module produces.
 *
 * @example
 * ```ts
 * const redactor = new SecretRedactor();
 * redactor.add(['1//refresh-token-value']);
 * redactor.redact('token 1//refresh-token-value refused'); // 'token [redacted] refused'
 * ```
 */
export class SecretRedactor {
  readonly #secrets = new Set<string>();

  /** Adds values to blank out; very short ones are ignored (they would blank ordinary words). */
  add(values: Iterable<string | null | undefined>): void {
    for (const value of values) if (value && value.length >= 6) this.#secrets.add(value);
  }

  redact(text: string): string {
    let out = text;
    for (const secret of this.#secrets) if (out.includes(secret)) out = out.split(secret).join('[redacted]');
    return out;
  }

  /** A deep copy of log fields with every string redacted (errors become their redacted message). */
  redactValue(value: unknown, depth = 0): unknown {
    if (typeof value === 'string') return this.redact(value);
    if (value instanceof Error) return this.redact(value.message);
    if (value instanceof Date || value === null || typeof value !== 'object' || depth > 4) return value;
    if (Array.isArray(value)) return value.map((v) => this.redactValue(v, depth + 1));
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, this.redactValue(v, depth + 1)]));
  }
}

/**
 * A logger that passes every line through a {@link SecretRedactor} before the host's logger sees it.
 *
 * @example
 * ```ts
 * const logger = redactingLogger(hostLogger, redactor);
 * logger.error('contacts_sync_failed', { error: err.message }); // secrets replaced by [redacted]
 * ```
 */
export function redactingLogger(logger: Logger, redactor: SecretRedactor): Logger {
  const wrap =
    (level: keyof Logger) =>
    (message: string, fields?: LogFields): void => {
      logger[level](redactor.redact(message), fields && (redactor.redactValue(fields) as LogFields));
    };
  return { debug: wrap('debug'), info: wrap('info'), warn: wrap('warn'), error: wrap('error') };
}
