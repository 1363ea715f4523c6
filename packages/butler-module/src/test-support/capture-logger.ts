import type { LogFields, Logger } from '@contacts/core';

export interface LogLine {
  level: 'debug' | 'info' | 'warn' | 'error';
  message: string;
  fields: LogFields | undefined;
}

/** A logger that keeps every line, for assertions on what was (and was not) logged. */
export class CaptureLogger implements Logger {
  readonly lines: LogLine[] = [];
  debug(message: string, fields?: LogFields): void {
    this.lines.push({ level: 'debug', message, fields });
  }
  info(message: string, fields?: LogFields): void {
    this.lines.push({ level: 'info', message, fields });
  }
  warn(message: string, fields?: LogFields): void {
    this.lines.push({ level: 'warn', message, fields });
  }
  error(message: string, fields?: LogFields): void {
    this.lines.push({ level: 'error', message, fields });
  }
  messages(): string[] {
    return this.lines.map((l) => l.message);
  }
  find(message: string): LogLine[] {
    return this.lines.filter((l) => l.message === message);
  }
  /** Everything logged, as one string: for "this secret never appears" assertions. */
  text(): string {
    return JSON.stringify(this.lines);
  }
}
