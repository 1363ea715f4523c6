// One benchmark run in its own process, so its peak RSS is its own. Forked by run-matrix.ts,
// which runs the emulator (or Radicale) and answers admin calls over IPC. Progress goes to stderr.
import { limitHeapGrowth } from '@contacts/core';
import { runCardDavCase } from './carddav/carddav-case.js';
import { cardDavMessageIs, remoteCardDavControl } from './carddav/carddav-ipc.js';
import { type MessagePort, messageIs, remoteControl } from './child-ipc.js';
import { databasesFor, runCase } from './run-case.js';

// As the `contacts` command runs its syncs (its bin calls the same): V8's heap may grow to twice
// what survived the last full collection, not up to four times (docs/benchmarks.md).
limitHeapGrowth();

const send = process.send?.bind(process);
if (!send) {
  process.stderr.write('child-main.ts is started by the benchmark (pnpm bench), not on its own.\n');
  process.exit(2);
}
const port: MessagePort = {
  send: (message) => send(message),
  on: (event, listener) => process.on(event, listener),
};
const progress = (line: string) => process.stderr.write(`  ${line}\n`);

async function run(message: unknown): Promise<unknown> {
  if (messageIs.job(message)) {
    const { job, connection } = message;
    const result = await runCase(job, {
      control: remoteControl(connection, port),
      databases: databasesFor(job),
      progress,
    });
    return { kind: 'done', result };
  }
  if (cardDavMessageIs.job(message)) {
    const { job, connection } = message;
    const result = await runCardDavCase(job, {
      control: remoteCardDavControl(connection, port),
      databases: databasesFor(job),
      progress,
    });
    return { kind: 'carddav-done', result };
  }
  throw new Error('the benchmark child got a message that is not a job');
}

process.once('message', async (message: unknown) => {
  let outcome: unknown;
  try {
    outcome = await run(message);
  } catch (error) {
    outcome = {
      kind: 'failed',
      error: error instanceof Error ? (error.stack ?? error.message) : String(error),
    };
    process.exitCode = 1;
  }
  send(outcome, () => process.disconnect());
});
