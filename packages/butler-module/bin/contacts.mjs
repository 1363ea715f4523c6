#!/usr/bin/env node
// The `contacts` command. In a workspace checkout (src/ present) it runs the TypeScript source
// through tsx with the `@contacts/source` export condition, so a fresh clone needs only
// `pnpm install` (no build, and never a stale dist/). Installed from the registry (dist/ only),
// it runs the built JavaScript in this process.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const source = fileURLToPath(new URL('../src/cli/bin.ts', import.meta.url));

if (!existsSync(source)) {
  await import('../dist/cli/bin.js');
} else {
  let tsx;
  try {
    tsx = import.meta.resolve('tsx');
  } catch {
    process.stderr.write(
      'contacts: running from source needs tsx; run `pnpm install` in the workspace first.\n',
    );
    process.exit(2);
  }
  const child = spawn(
    process.execPath,
    ['--conditions=@contacts/source', '--import', tsx, source, ...process.argv.slice(2)],
    { stdio: 'inherit' },
  );
  // Ctrl-C reaches the child through the terminal's process group: forwarding SIGINT too would
  // count as a second one, which the command takes as "stop now" instead of after the page in
  // flight. SIGTERM and SIGHUP (from a supervisor or an MCP client) are sent to this process alone.
  process.on('SIGINT', () => {});
  for (const signal of ['SIGTERM', 'SIGHUP']) {
    process.on(signal, () => child.kill(signal));
  }
  child.on('exit', (code, signal) => {
    process.exitCode = code ?? (signal ? 128 : 1);
  });
}
