import { ContactsModuleError } from '../../errors.js';
import { configuredSources } from '../../module/configured-sources.js';
import { defaultProviderRegistry } from '../../module/default-registry.js';
import { type ReviewItem, type ReviewReport, readReviewItems } from '../../status/review-items.js';
import { type CommandContext, withDatabase } from '../command-context.js';
import { loadCliConfig } from '../load-config.js';
import { pickSources } from '../source-flag.js';

/** The flags of `contacts review`. */
export interface ReviewFlags {
  json?: boolean;
  source?: string;
  limit?: string;
}

const SECTIONS = [
  ['conflicts', 'Conflicts (the source disagrees with a kept value)'],
  ['ambiguous_names', 'Ambiguous names (added as new; merge if the same person)'],
  ['failed', 'Failed contacts (retried on every sync)'],
] as const satisfies readonly (readonly [keyof ReviewReport, string])[];

/**
 * `contacts review [--json] [--source PROVIDER[:ACCOUNT]] [--limit N]`: what a person should
 * look at for one source (conflicts, ambiguous name matches, failed contacts), each with its
 * sentence. Exit 0 either way: the list is the answer.
 */
export async function reviewCommand(ctx: CommandContext, flags: ReviewFlags): Promise<number> {
  const all = configuredSources(
    await loadCliConfig(ctx.globals.configPath, ctx.globals.configLabel),
    defaultProviderRegistry(),
  );
  const config = pickSources(all, flags.source, { all: false })[0]!.config;
  const limit = limitOf(flags.limit);
  const report = await withDatabase(ctx, { migrateFirst: false, readOnly: true }, (db) =>
    readReviewItems({
      db,
      butlerSchema: ctx.globals.butlerSchema,
      provider: config.provider,
      accountId: config.account_id,
      limit,
    }),
  );
  // A failure's error came from the source: never a credential in it.
  const clean = (item: ReviewItem): ReviewItem => ({ ...item, sentence: ctx.redactor.redact(item.sentence) });
  const redacted: ReviewReport = {
    ...report,
    conflicts: report.conflicts.map(clean),
    ambiguous_names: report.ambiguous_names.map(clean),
    failed: report.failed.map(clean),
  };
  if (flags.json) {
    ctx.out(JSON.stringify(redacted, null, 2));
    return 0;
  }
  const label = `${report.provider} (${report.account_id})`;
  const count = SECTIONS.reduce((n, [key]) => n + redacted[key].length, 0);
  if (count === 0) {
    ctx.out(`Nothing to review for ${label}: no conflicts, ambiguous names or failed contacts.`);
    return 0;
  }
  ctx.out(`To review for ${label}:`);
  for (const [key, title] of SECTIONS) {
    const items = redacted[key];
    if (items.length === 0) continue;
    ctx.out(
      `\n${title}: ${items.length}${items.length === limit ? ` (the latest ${limit}; --limit for more)` : ''}`,
    );
    for (const item of items) ctx.out(`  - ${item.sentence}`);
  }
  return 0;
}

function limitOf(raw: string | undefined): number {
  if (raw === undefined) return 100;
  const n = Number(raw);
  if (!/^\d+$/.test(raw.trim()) || n < 1 || n > 10_000) {
    throw new ContactsModuleError(
      'USAGE',
      `--limit must be a whole number from 1 to 10000; got ${JSON.stringify(raw.slice(0, 20))}.`,
    );
  }
  return n;
}
