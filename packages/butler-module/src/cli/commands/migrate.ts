import { migrate } from '@contacts/schema';
import { type CommandContext, withDatabase } from '../command-context.js';
import { describeTarget } from '../options.js';

/** `contacts migrate`: creates or upgrades the tables; idempotent. */
export async function migrateCommand(ctx: CommandContext): Promise<number> {
  const { butlerSchema, database } = ctx.globals;
  return withDatabase(ctx, { migrateFirst: false }, async (db) => {
    const { applied } = await migrate(db, { butlerSchema });
    ctx.out(
      applied.length > 0
        ? `Migrated the ${describeTarget(database)} (butler schema "${butlerSchema}"): applied ${applied.join(', ')}.`
        : `The ${describeTarget(database)} is up to date (butler schema "${butlerSchema}").`,
    );
    return 0;
  });
}
