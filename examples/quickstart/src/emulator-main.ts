import { resolve } from 'node:path';
import { processStopSignal, runCli } from '@contacts/google-emulator/cli';
import { writeEmulatorDataDir } from './emulator-data-dir.js';

// `pnpm emulator [--data-dir DIR] [google-emulator flags]`: the google-emulator command, plus
// `--data-dir`, which stores what `contacts --data-dir DIR` needs to sync from it. It stops on
// SIGINT/SIGTERM/SIGHUP and also when its parent exits: pnpm does not forward SIGTERM to it.
const DATA_DIR_USAGE = `
Workspace flag (pnpm emulator):
  --data-dir DIR       store the emulator's credentials in DIR's embedded database and its endpoints
                       in DIR/butler.toml, so \`pnpm contacts --data-dir DIR sync\` syncs from it
                       (a directory of its own: one holding a real account's credentials is refused)`;

const argv = process.argv.slice(2);
let dataDirArg: string | undefined;
const rest: string[] = [];
for (let i = 0; i < argv.length; i += 1) {
  const arg = argv[i]!;
  if (arg === '--data-dir') {
    dataDirArg = argv[i + 1];
    i += 1;
    if (dataDirArg === undefined || !dataDirArg.trim() || dataDirArg.startsWith('--')) {
      process.stderr.write('emulator: --data-dir needs a directory, e.g. --data-dir ./.contacts-emulator\n');
      process.exit(2);
    }
  } else if (arg.startsWith('--data-dir=')) {
    dataDirArg = arg.slice('--data-dir='.length);
  } else {
    rest.push(arg);
  }
}

// pnpm runs the script at the workspace root; a relative directory is taken from where it was typed.
const base = process.env.INIT_CWD ?? process.cwd();
const dataDir = dataDirArg === undefined ? undefined : resolve(base, dataDirArg);
// The next commands name the directory as it was typed: they are typed in the same place.
const said = dataDirArg ?? '';
const out = (line: string) => process.stdout.write(`${line}\n`);
const signal = processStopSignal();
process.exitCode = await runCli(rest, {
  stdout: (line) => out(line.startsWith('Usage:') ? `${line}\n${DATA_DIR_USAGE}` : line),
  stderr: (line) => process.stderr.write(`${line}\n`),
  signal,
  onStarted:
    dataDir === undefined
      ? undefined
      : async (emulator) => {
          // A new embedded database is made (initdb, migrations) on the first start: seconds.
          out(`Writing the emulator's credentials and endpoints to ${said} ...`);
          await writeEmulatorDataDir(emulator, dataDir);
          out(`Done. In another terminal:`);
          out(`  pnpm contacts --data-dir ${said} sync`);
          out(`  pnpm contacts --data-dir ${said} status`);
          out('Serving until Ctrl-C.');
        },
});
process.stderr.on('error', () => {});
if (signal.aborted) process.stderr.write(`emulator: stopped (${String(signal.reason)}).\n`);
