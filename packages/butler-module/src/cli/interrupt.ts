import { ContactsModuleError } from '../errors.js';

/**
 * The error of a command stopped by SIGINT, SIGTERM or SIGHUP (the bin aborts the command's
 * signal): one sentence, exit code 1.
 *
 * @example
 * ```ts
 * if (signal.aborted) throw interruptedError();
 * ```
 */
export function interruptedError(): ContactsModuleError {
  return new ContactsModuleError(
    'INTERRUPTED',
    'Interrupted by a signal before it finished: the database was closed, and any transaction left open was rolled back.',
  );
}

/**
 * Settles as `work` does, or rejects with {@link interruptedError} as soon as `signal` aborts.
 * `work` is not cancelled (the caller closes what it runs on); its later failure is swallowed.
 *
 * @example
 * ```ts
 * const text = await untilAborted(readAll(stdin), ctx.io.signal);
 * ```
 */
export async function untilAborted<T>(work: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return work;
  if (signal.aborted) {
    work.catch(() => {});
    throw interruptedError();
  }
  let onAbort!: () => void;
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => reject(interruptedError());
    signal.addEventListener('abort', onAbort, { once: true });
  });
  try {
    return await Promise.race([work, aborted]);
  } catch (error) {
    work.catch(() => {});
    throw error;
  } finally {
    signal.removeEventListener('abort', onAbort);
  }
}
