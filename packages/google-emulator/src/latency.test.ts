import { afterEach, describe, expect, it } from 'vitest';
import { type GoogleEmulator, type GoogleEmulatorOptions, startGoogleEmulator } from './server.js';
import { call, client, refreshTokenGrant } from './test-support.js';

// The waits are recorded by an injected sleep that returns at once: what is checked is which
// requests wait and for how long they were told to, never the wall clock.
const started: GoogleEmulator[] = [];
afterEach(async () => {
  await Promise.all(started.splice(0).map((emulator) => emulator.close()));
});

async function start(options: GoogleEmulatorOptions): Promise<{ emulator: GoogleEmulator; waits: number[] }> {
  const waits: number[] = [];
  const emulator = await startGoogleEmulator({
    seed: 4,
    people: 3,
    ...options,
    sleep: async (ms) => {
      waits.push(ms);
    },
  });
  started.push(emulator);
  return { emulator, waits };
}

describe('latencyMs', () => {
  it('makes every API and token request wait that long, admin calls none', async () => {
    const { emulator, waits } = await start({ latencyMs: 25 });
    const api = client(emulator);
    await api.connections({ personFields: 'names' });
    await api.contactGroups();
    await refreshTokenGrant(emulator);
    await call(emulator.adminUrl, 'people');
    expect(waits).toEqual([25, 25, 25]);
  });

  it('draws each wait between min and max, the same sequence for the same seed', async () => {
    const runs: number[][] = [];
    for (let run = 0; run < 2; run++) {
      const { emulator, waits } = await start({ latencyMs: [10, 40] });
      const api = client(emulator);
      for (let i = 0; i < 6; i++) await api.contactGroups();
      runs.push(waits);
    }
    expect(runs[0]).toHaveLength(6);
    for (const ms of runs[0] ?? []) {
      expect(ms).toBeGreaterThanOrEqual(10);
      expect(ms).toBeLessThan(40);
    }
    expect(new Set(runs[0]).size).toBeGreaterThan(1);
    expect(runs[1]).toEqual(runs[0]);
  });

  it('waits for no request without the option', async () => {
    const { emulator, waits } = await start({});
    await client(emulator).contactGroups();
    expect(waits).toEqual([]);
  });

  it('rejects a negative or inverted range', async () => {
    await expect(startGoogleEmulator({ latencyMs: -1 })).rejects.toMatchObject({ code: 'INVALID_OPTIONS' });
    await expect(startGoogleEmulator({ latencyMs: [30, 10] })).rejects.toMatchObject({
      code: 'INVALID_OPTIONS',
    });
  });
});
