// Helpers for this package's tests: an emulator-backed provider with recorded waits and logs.
// Not exported by the package.
import type { ContactBatch, LogFields, Logger } from '@contacts/core';
import {
  type GoogleEmulator,
  type GoogleEmulatorOptions,
  startGoogleEmulator,
} from '@contacts/google-emulator';
import { GoogleContactsProvider } from './google-contacts-provider.js';
import type { GoogleProviderOptions } from './options.js';

/** Log lines a test logger kept, to check that no secret was written. */
export interface LogLine {
  level: 'debug' | 'info' | 'warn' | 'error';
  message: string;
  fields?: LogFields;
}

/** A provider on an emulator whose sleeps return at once, recorded, moving a fake clock. */
export interface TestProvider {
  provider: GoogleContactsProvider;
  /** Every wait the provider asked for, in ms. */
  waits: number[];
  logs: LogLine[];
}

export function testProvider(
  emulator: GoogleEmulator,
  overrides: Partial<GoogleProviderOptions> = {},
): TestProvider {
  const waits: number[] = [];
  const logs: LogLine[] = [];
  let now = Date.parse('2026-03-01T12:00:00Z');
  const record =
    (level: LogLine['level']) =>
    (message: string, fields?: LogFields): void => {
      logs.push({ level, message, ...(fields ? { fields } : {}) });
    };
  const logger: Logger = {
    debug: record('debug'),
    info: record('info'),
    warn: record('warn'),
    error: record('error'),
  };
  const provider = new GoogleContactsProvider({
    ...emulator.credentials,
    rootUrl: emulator.url,
    tokenUrl: emulator.tokenUrl,
    sleep: async (ms) => {
      waits.push(ms);
      now += ms;
    },
    random: () => 0.5,
    clock: { now: () => new Date(now) },
    logger,
    ...overrides,
  });
  return { provider, waits, logs };
}

export function startEmulator(options: GoogleEmulatorOptions = {}): Promise<GoogleEmulator> {
  return startGoogleEmulator({ seed: 11, onInternalError: (error) => console.error(error), ...options });
}

/** Every page of one full (no cursor) or incremental sync. */
export async function syncPages(provider: GoogleContactsProvider, cursor?: string): Promise<ContactBatch[]> {
  const pages: ContactBatch[] = [];
  let pageToken: string | null = null;
  for (let i = 0; i < 100; i += 1) {
    const page: ContactBatch =
      cursor === undefined
        ? await provider.fullSync({ pageToken })
        : await provider.incrementalSync({ cursor, pageToken });
    pages.push(page);
    if (!page.next_page_token) return pages;
    pageToken = page.next_page_token;
  }
  throw new Error('more than 100 pages');
}

/** The thrown value of a promise that must fail. */
export async function failureOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a failure, got success');
}
