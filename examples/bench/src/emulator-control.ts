import type { EmulatorEndpoint, GoogleEmulator } from '@contacts/google-emulator';
import { applyChangeSet, type ChangeSet } from './change-set.js';
import { processCpuMs } from './cpu-meter.js';

/** Where the provider finds the emulator, and with what credentials. */
export interface EmulatorConnection {
  url: string;
  tokenUrl: string;
  clientId: string;
  clientSecret: string;
  refreshToken: string;
}

/** Requests the emulator served, in total and per endpoint. */
export interface RequestCounts {
  total: number;
  byEndpoint: Partial<Record<EmulatorEndpoint, number>>;
}

/**
 * What a benchmark run needs from the emulator. In one process it is the admin API itself; a
 * child process reaches the emulator its parent runs over IPC, so the emulator's own CPU and
 * memory stay out of the measured process.
 */
export interface EmulatorControl {
  readonly connection: EmulatorConnection;
  /** Live people in the book now. */
  livePeople(): Promise<number>;
  /** Edits, deletes and adds `fraction` of the book (see `applyChangeSet`). */
  applyChanges(fraction: number): Promise<ChangeSet>;
  resetRequests(): Promise<void>;
  requestCounts(): Promise<RequestCounts>;
  /** The pid of the emulator's process and its CPU so far (ms), for the bench's CPU split. */
  emulatorCpu(): Promise<{ pid: number; cpuMs: number }>;
}

const ENDPOINTS: readonly EmulatorEndpoint[] = [
  'connections',
  'otherContacts',
  'contactGroups',
  'token',
  'other',
];

/**
 * An {@link EmulatorControl} over an emulator running in this process.
 *
 * @example
 * ```ts
 * const emulator = await startGoogleEmulator({ seed: 1, people: 200, otherContacts: 0 });
 * const control = localControl(emulator);
 * await control.applyChanges(0.01);
 * ```
 */
export function localControl(emulator: GoogleEmulator): EmulatorControl {
  const { admin } = emulator;
  return {
    connection: { url: emulator.url, tokenUrl: emulator.tokenUrl, ...emulator.credentials },
    livePeople: async () => admin.people().length,
    applyChanges: async (fraction) => applyChangeSet(admin, fraction),
    resetRequests: async () => admin.resetRequests(),
    emulatorCpu: async () => ({ pid: process.pid, cpuMs: processCpuMs() }),
    requestCounts: async () => {
      const byEndpoint: Partial<Record<EmulatorEndpoint, number>> = {};
      for (const endpoint of ENDPOINTS) {
        const n = admin.requestCount(endpoint);
        if (n > 0) byEndpoint[endpoint] = n;
      }
      return { total: admin.requestCount(), byEndpoint };
    },
  };
}
