/**
 * A command's failure with a next step for the command line: the main loop prints the cause's
 * sentence (redacted, with its exit code) and then the hint. Providers' sentences are written
 * for any host (a dashboard); the hint names the `contacts` command that fixes it.
 *
 * @example
 * ```ts
 * throw new HintedError(error, 'contacts: to authorise again, run `contacts auth google --source google:default`.');
 * ```
 */
export class HintedError extends Error {
  override readonly name = 'HintedError';
  constructor(
    override readonly cause: unknown,
    readonly hint: string,
  ) {
    super(cause instanceof Error ? cause.message : String(cause), { cause });
  }
}
