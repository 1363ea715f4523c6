// One benchmark run in its own process, so its peak RSS is its own. Forked by run-matrix.ts,
// which runs the emulator and answers admin calls over IPC. Progress goes to stderr.
import { type MessagePort, messageIs, type OutcomeMessage, remoteControl } from './child-ipc.js';
import { databasesFor, runCase } from './run-case.js';

const send = process.send?.bind(process);
if (!send) {
  process.stderr.write('child-main.ts is started by the benchmark (pnpm bench), not on its own.\n');
  process.exit(2);
}
const port: MessagePort = {
  send: (message) => send(message),
  on: (event, listener) => process.on(event, listener),
};

process.once('message', async (message: unknown) => {
  if (!messageIs.job(message)) return;
  const { job, connection } = message;
  let outcome: OutcomeMessage;
  try {
    const result = await runCase(job, {
      control: remoteControl(connection, port),
      databases: databasesFor(job),
      progress: (line) => process.stderr.write(`  ${line}\n`),
    });
    outcome = { kind: 'done', result };
  } catch (error) {
    outcome = {
      kind: 'failed',
      error: error instanceof Error ? (error.stack ?? error.message) : String(error),
    };
    process.exitCode = 1;
  }
  send(outcome, () => process.disconnect());
});
