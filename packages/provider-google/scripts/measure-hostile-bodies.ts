/**
 * Measures what a hostile answer body costs the Google provider with its default options
 * (64 MiB cap): a fast endless body, and a 200 MB page with and without a Content-Length, served
 * by the emulator. Each case runs in a fresh process (emulator and provider together); it prints
 * the error, the requests made, the body bytes the emulator wrote and the process's peak RSS.
 * Usage: pnpm --filter @contacts/provider-google measure:bodies
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { type FaultOptions, startGoogleEmulator } from '@contacts/google-emulator';
import { GoogleContactsProvider } from '../src/index.js';

const CASES: Record<string, FaultOptions> = {
  'fast endless body': { kind: 'endlessBody', endpoint: 'connections', times: 10 },
  '200 MB page, Content-Length': {
    kind: 'hugeBody',
    bytes: 200 * 1024 * 1024,
    endpoint: 'connections',
    times: 10,
  },
  '200 MB page, chunked': {
    kind: 'hugeBody',
    bytes: 200 * 1024 * 1024,
    contentLength: false,
    endpoint: 'connections',
    times: 10,
  },
};

async function measure(name: string, fault: FaultOptions): Promise<void> {
  const emulator = await startGoogleEmulator({ seed: 3, people: 10 });
  emulator.admin.injectFault(fault);
  const provider = new GoogleContactsProvider({
    ...emulator.credentials,
    rootUrl: emulator.url,
    tokenUrl: emulator.tokenUrl,
    sleep: async () => {},
  });
  let peak = 0;
  const sampler = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 5);
  const started = performance.now();
  const error = await provider.fullSync({}).then(
    () => null,
    (e: Error) => e.message,
  );
  const ms = Math.round(performance.now() - started);
  // The emulator logs a streamed answer once it notices that the client closed the connection.
  while (emulator.admin.requests('connections').length === 0) await new Promise((r) => setTimeout(r, 10));
  clearInterval(sampler);
  const log = emulator.admin.requests('connections');
  const sent = log.map((entry) => `${((entry.bytesSent ?? 0) / 1e6).toFixed(1)} MB`).join(', ');
  console.log(
    `${name}: ${log.length} request(s), ${sent} written by the emulator, peak RSS ${Math.round(peak / 1048576)} MB, ${ms} ms\n  ${error}`,
  );
  await emulator.close();
}

const only = process.argv[2];
if (only) {
  const fault = CASES[only];
  if (!fault) throw new Error(`No case ${only}.`);
  await measure(only, fault);
} else {
  for (const name of Object.keys(CASES)) {
    spawnSync(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), name], {
      stdio: 'inherit',
    });
  }
}
