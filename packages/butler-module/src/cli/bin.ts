import { installFastResolve } from './fast-resolve.js';
import { asksForVersionOnly, packageVersion } from './version.js';

// The process edge: the only place that reads process.env/argv and installs signal handlers.
const argv = process.argv.slice(2);
if (asksForVersionOnly(argv)) {
  // Answered before the command (drivers, MCP SDK, providers) is imported: instant.
  process.stdout.write(`${packageVersion()}\n`);
} else {
  // Before the command's modules load: drizzle-orm's files resolve without Node re-reading its
  // package.json for each (half of the start on Node 22; see fast-resolve.ts).
  installFastResolve();
  // The command's own process: a sync's peak RSS stays near what a short one reaches (a 25,000
  // sync on the embedded database: ~360 MB instead of ~470 MB, same CPU; see heap-growth.ts).
  // (Imported here, after the hook: @contacts/core loads drizzle-orm.)
  const { limitHeapGrowth } = await import('@contacts/core');
  limitHeapGrowth();
  const { main } = await import('./main.js');
  const controller = new AbortController();
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.on(signal, () => {
      // A second signal while stopping means "now".
      if (controller.signal.aborted) process.exit(130);
      controller.abort();
    });
  }
  const code = await main(argv, {
    stdout: process.stdout,
    stderr: process.stderr,
    stdin: process.stdin,
    env: process.env,
    signal: controller.signal,
  });
  process.exitCode = code;
  // Drivers can keep handles open (a PGlite worker, a socket); the command is done.
  setTimeout(() => process.exit(code), 200).unref();
}
