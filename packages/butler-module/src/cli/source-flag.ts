import { ContactsModuleError } from '../errors.js';
import type { ConfiguredSource } from '../module/configured-sources.js';

/**
 * The sources `--source PROVIDER[:ACCOUNT]` picks from the configured ones: without the flag
 * every source when `all`, else the only one; with it, those of the provider (and account).
 *
 * @throws ContactsModuleError `USAGE` when it names no configured source, or several where one
 *   is needed, listing the configured sources.
 * @example
 * ```ts
 * pickSources(sources, 'google:work', { all: false }); // [the google source of account "work"]
 * ```
 */
export function pickSources(
  sources: readonly ConfiguredSource[],
  flag: string | undefined,
  options: { all: boolean },
): ConfiguredSource[] {
  const listed = sources.map((s) => `${s.provider}:${s.accountId}`).join(', ');
  if (flag === undefined) {
    if (options.all || sources.length === 1) return [...sources];
    throw new ContactsModuleError(
      'USAGE',
      `Several sources are configured (${listed}): pick one with --source PROVIDER[:ACCOUNT].`,
    );
  }
  const at = flag.indexOf(':');
  const provider = (at < 0 ? flag : flag.slice(0, at)).trim().toLowerCase();
  const accountId = at < 0 ? undefined : flag.slice(at + 1).trim();
  const picked = sources.filter(
    (s) => s.provider === provider && (accountId === undefined || s.accountId === accountId),
  );
  if (picked.length === 0) {
    throw new ContactsModuleError(
      'USAGE',
      `--source ${JSON.stringify(flag.slice(0, 80))} names no configured source; configured sources: ${listed}.`,
    );
  }
  if (picked.length > 1 && !options.all) {
    throw new ContactsModuleError(
      'USAGE',
      `--source ${provider} matches ${picked.length} sources (${picked.map((s) => `${s.provider}:${s.accountId}`).join(', ')}): add the account, e.g. --source ${provider}:${picked[0]!.accountId}.`,
    );
  }
  return picked;
}
