import { fstatSync } from 'node:fs';

/** Why a command's process should stop: a signal's name, `parent exited` or `stdin closed`. */
export type StopReason = 'SIGINT' | 'SIGTERM' | 'SIGHUP' | 'parent exited' | 'stdin closed';

/** What {@link processStopSignal} watches; the real process unless a test hands in its own. */
export interface WatchedProcess {
  readonly ppid: number;
  readonly stdin: NodeJS.ReadStream | (NodeJS.ReadableStream & { fd?: number });
  once(signal: 'SIGINT' | 'SIGTERM' | 'SIGHUP', listener: () => void): unknown;
  removeListener(signal: 'SIGINT' | 'SIGTERM' | 'SIGHUP', listener: () => void): unknown;
}

/** Is fd 0 a pipe or a socket (a parent holds its other end), not a terminal, a file or /dev/null? */
function stdinIsPipe(): boolean {
  try {
    const stat = fstatSync(0);
    return stat.isFIFO() || stat.isSocket();
  } catch {
    return false;
  }
}

/**
 * An AbortSignal that aborts when the process should stop serving: on SIGINT, SIGTERM or SIGHUP;
 * when its parent exits (it is re-parented: `pnpm emulator` killed alone, which does not forward
 * SIGTERM to its script's shell); or when stdin is a pipe and its other end closes (a parent that
 * died without a signal). A terminal or /dev/null on stdin is not watched: `cmd &` in a script
 * reads /dev/null, which ends at once. The parent is checked every `pollMs` (default 500) by an
 * unref'd timer, so the watch never keeps the process alive; `reason` says which one struck.
 *
 * @example
 * ```ts
 * const stop = processStopSignal();
 * await serveUntil(stop);
 * process.stderr.write(`stopped: ${stop.reason}\n`);
 * ```
 */
export function processStopSignal(
  options: { pollMs?: number; process?: WatchedProcess; watchStdin?: boolean } = {},
): AbortSignal {
  const proc: WatchedProcess = options.process ?? process;
  const controller = new AbortController();
  const parent = proc.ppid;
  const handlers = (['SIGINT', 'SIGTERM', 'SIGHUP'] as const).map((signal) => {
    const handler = () => stop(signal);
    proc.once(signal, handler);
    return [signal, handler] as const;
  });
  const timer = setInterval(() => {
    if (proc.ppid !== parent) stop('parent exited');
  }, options.pollMs ?? 500);
  timer.unref();
  const onEnd = () => stop('stdin closed');
  const watchStdin = options.watchStdin ?? (options.process === undefined && stdinIsPipe());
  if (watchStdin) {
    proc.stdin.once('end', onEnd);
    proc.stdin.once('close', onEnd);
    // Reading is what makes 'end' come; whatever is written there is thrown away.
    proc.stdin.on('data', () => {});
    proc.stdin.resume();
  }
  function stop(reason: StopReason): void {
    if (controller.signal.aborted) return;
    clearInterval(timer);
    for (const [signal, handler] of handlers) proc.removeListener(signal, handler);
    if (watchStdin) {
      proc.stdin.removeListener('end', onEnd);
      proc.stdin.removeListener('close', onEnd);
      proc.stdin.pause();
      // A paused pipe still holds the event loop: unref it so the process can end.
      (proc.stdin as { unref?: () => void }).unref?.();
    }
    controller.abort(reason);
  }
  return controller.signal;
}
