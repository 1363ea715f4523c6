import { resolve } from 'node:path';
import { runDemo } from './demo.js';

// `pnpm demo [--data-dir DIR]`: with real Google credentials stored in DIR (default ./.contacts,
// see the README), the demo syncs that account; otherwise it runs against the local emulator.
// Relative to where `pnpm demo` was typed (pnpm runs the script inside examples/quickstart).
const at = process.argv.indexOf('--data-dir');
const dataDir = resolve(
  process.env.INIT_CWD ?? process.cwd(),
  at > 0 ? (process.argv[at + 1] ?? '.contacts') : (process.env.CONTACTS_DATA_DIR ?? '.contacts'),
);
const started = performance.now();
runDemo({ dataDir }).then(
  () => process.stdout.write(`\nDone in ${((performance.now() - started) / 1000).toFixed(1)} s.\n`),
  (error: unknown) => {
    process.stderr.write(`demo failed: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  },
);
