/**
 * Test support: one process contending for a data directory's lock, driven over IPC by
 * `data-dir-lock.test.ts` and `data-dir-lock-contenders.test.ts` (through `lock-processes.ts`).
 * Not part of the package.
 *
 * argv: DATA_DIR SEED MAX_DELAY_MS. Every read of a lock file is followed by a pause of up to
 * MAX_DELAY_MS (seeded), a deterministic way to widen each check-then-act window of whatever
 * lock implementation is loaded (the pause is put into `node:fs` itself, so the implementation
 * needs no hook).
 *
 * Messages in: `go` (try to take the lock), `release`, `exit`. Out: `ready`, then per `go`
 * `{ type: 'held' }` or `{ type: 'refused', code, message }`, per `release` `{ type: 'released' }`.
 */
import fs from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';

const [dataDir = '', seedText = '1', maxDelayText = '0'] = process.argv.slice(2);
const maxDelayMs = Number(maxDelayText);
let state = Number(seedText) >>> 0 || 1;
const random = () => {
  // xorshift32: the same pauses for the same seed.
  state ^= state << 13;
  state ^= state >>> 17;
  state ^= state << 5;
  return (state >>> 0) / 0x1_0000_0000;
};
const pauseCell = new Int32Array(new SharedArrayBuffer(4));
const readFileSync = fs.readFileSync;
fs.readFileSync = function (this: unknown, ...args: Parameters<typeof readFileSync>) {
  const result = readFileSync.apply(this, args);
  if (String(args[0]).includes('contacts.lock')) Atomics.wait(pauseCell, 0, 0, random() * maxDelayMs);
  return result;
} as typeof readFileSync;
syncBuiltinESMExports();

const { acquireDataDirLock } = await import('../cli/data-dir-lock.js');
type Lock = { release(): void };
let lock: Lock | null = null;
const send = (message: Record<string, unknown>) => process.send?.(message);

process.on('message', async (message: { type: string }) => {
  if (message.type === 'go') {
    try {
      // Awaiting covers both the synchronous and the asynchronous form of the function.
      lock = await (acquireDataDirLock as (dir: string) => Lock | Promise<Lock>)(dataDir);
      send({ type: 'held' });
    } catch (error) {
      send({ type: 'refused', code: (error as { code?: string }).code, message: String(error) });
    }
  } else if (message.type === 'release') {
    lock?.release();
    lock = null;
    send({ type: 'released' });
  } else if (message.type === 'exit') {
    process.disconnect?.();
    process.exit(0);
  }
});
send({ type: 'ready' });
