import type { Logger } from 'drizzle-orm';

/**
 * A drizzle {@link Logger} that only counts: every statement drizzle sends through the database
 * it is attached to (transactions and savepoints of that database included). The driver's own
 * BEGIN/COMMIT around `db.transaction()` never reach a drizzle logger and are not counted.
 *
 * @example
 * ```ts
 * const statements = new StatementCounter();
 * const db = drizzle(pg, { logger: statements });
 * statements.reset();
 * await runSyncCycle({ db, ... });
 * statements.count; // 31
 * ```
 */
export class StatementCounter implements Logger {
  count = 0;

  logQuery(): void {
    this.count += 1;
  }

  /** Starts again from zero; returns the count before. */
  reset(): number {
    const before = this.count;
    this.count = 0;
    return before;
  }
}
