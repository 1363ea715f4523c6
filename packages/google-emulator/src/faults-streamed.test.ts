import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createManualClock } from './clock.js';
import { EmulatorError } from './errors.js';
import type { RequestLogEntry } from './request-log.js';
import { type GoogleEmulator, startGoogleEmulator } from './server.js';
import { client, withParams } from './test-support.js';

/** A sleep the test releases by hand; `released` counts the waits that ended. */
function manualSleep() {
  const waits: { ms: number; release: () => void }[] = [];
  const sleep = (ms: number, signal: AbortSignal) =>
    new Promise<void>((resolve, reject) => {
      waits.push({ ms, release: resolve });
      signal.addEventListener('abort', () => reject(signal.reason), { once: true });
    });
  return { sleep, waits };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

let emulator: GoogleEmulator;
let sleeper: ReturnType<typeof manualSleep>;

beforeEach(async () => {
  sleeper = manualSleep();
  emulator = await startGoogleEmulator({
    seed: 2,
    people: 30,
    clock: createManualClock(),
    sleep: sleeper.sleep,
  });
});
afterEach(() => emulator.close());

/** A raw GET of the connections listing, authorised. */
function getConnections(): Promise<Response> {
  const { token } = client(emulator);
  return fetch(new URL(withParams('v1/people/me/connections', { personFields: 'names' }), emulator.url), {
    headers: { authorization: `Bearer ${token}` },
  });
}

/** The log entry of the one connections request, once the emulator has finished with it. */
async function loggedRequest(): Promise<RequestLogEntry> {
  for (;;) {
    const entry = emulator.admin.requests('connections')[0];
    if (entry) return entry;
    await tick();
  }
}

describe('streamed faults', () => {
  it('drip: headers at once, then one byte per wait, until the client leaves; logs the bytes sent', async () => {
    emulator.admin.injectFault({ kind: 'drip', intervalMs: 1000, endpoint: 'connections' });
    const res = await getConnections();
    expect(res.status).toBe(200);
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    const first = await reader.read();
    expect(Buffer.from(first.value ?? []).toString()).toBe(' ');
    for (let i = 0; i < 3; i += 1) {
      while (sleeper.waits.length <= i) await tick();
      expect(sleeper.waits[i]?.ms).toBe(1000);
      sleeper.waits[i]?.release();
      expect((await reader.read()).value?.byteLength).toBe(1);
    }
    await reader.cancel();
    expect(await loggedRequest()).toMatchObject({ status: 200, fault: 'drip', bytesSent: 4 });
  });

  it('endlessBody: serves chunks for as long as the client reads, and stops when it leaves', async () => {
    emulator.admin.injectFault({ kind: 'endlessBody', chunkBytes: 16 * 1024, endpoint: 'connections' });
    const res = await getConnections();
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    let read = 0;
    while (read < 4 * 1024 * 1024) read += (await reader.read()).value?.byteLength ?? 0;
    await reader.cancel();
    const entry = await loggedRequest();
    expect(entry).toMatchObject({ status: 200, fault: 'endlessBody' });
    expect(entry.bytesSent).toBeGreaterThanOrEqual(read);
  });

  it.each([true, false])(
    'hugeBody (Content-Length sent: %s): the real answer padded to the size asked',
    async (contentLength) => {
      emulator.admin.injectFault({
        kind: 'hugeBody',
        bytes: 3_000_000,
        contentLength,
        endpoint: 'connections',
      });
      const res = await getConnections();
      expect(res.headers.get('content-length')).toBe(contentLength ? '3000000' : null);
      const text = await res.text();
      expect(Buffer.byteLength(text)).toBe(3_000_000);
      expect((JSON.parse(text) as { connections: unknown[] }).connections).toHaveLength(30);
      expect(await loggedRequest()).toMatchObject({ status: 200, fault: 'hugeBody', bytesSent: 3_000_000 });
    },
  );

  it('stops streaming when the emulator closes', async () => {
    emulator.admin.injectFault({ kind: 'drip', intervalMs: 60_000 });
    const res = await getConnections();
    const body = res.text().then(
      () => 'ended',
      () => 'dropped',
    );
    while (sleeper.waits.length === 0) await tick();
    await emulator.close();
    expect(await body).toBe('dropped');
  });

  it.each([
    { kind: 'drip', intervalMs: -1 },
    { kind: 'endlessBody', chunkBytes: 0 },
    { kind: 'hugeBody', bytes: 0 },
    { kind: 'hugeBody' },
  ])('refuses an invalid fault %j', (fault) => {
    expect(() => emulator.admin.injectFault(fault as never)).toThrowError(EmulatorError);
  });

  it('takes them through the admin HTTP API too', async () => {
    for (const fault of [
      { kind: 'drip', intervalMs: 1000 },
      { kind: 'endlessBody' },
      { kind: 'hugeBody', bytes: 1_000_000, contentLength: false },
    ]) {
      const res = await fetch(new URL('faults', emulator.adminUrl), {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(fault),
      });
      expect(res.status, JSON.stringify(fault)).toBe(201);
    }
    expect(emulator.admin.pendingFaults().map((f) => f.fault.kind)).toEqual([
      'drip',
      'endlessBody',
      'hugeBody',
    ]);
  });
});
