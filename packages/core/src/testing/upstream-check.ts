import { descriptorUpstream, type ProviderDescriptor } from '../provider/descriptor.js';

/**
 * What is wrong with a descriptor's upstream key for one settings table, or null: a fleet caps and
 * pauses syncs by this key across processes and restarts, and logs, stores and shows it, so it
 * must be the same on every call and for every account id of the same settings and credentials,
 * a short string without spaces, and hold no credential value.
 *
 * @example
 * ```ts
 * upstreamProblem(acmeDescriptor, {}, { token: 'acme_0123456789abcdef' }); // null when it keeps the contract
 * ```
 */
export function upstreamProblem<Settings>(
  descriptor: Pick<ProviderDescriptor<Settings>, 'name' | 'upstream'>,
  settings: Settings,
  credentials: Record<string, string>,
): string | null {
  const key = (accountId: string) =>
    descriptorUpstream(descriptor, { accountId, settings, credentials: { ...credentials } });
  const upstream = key('default');
  if (!upstream.startsWith(`${descriptor.name}:`)) return `does not start with "${descriptor.name}:"`;
  if (!/^\S{1,200}$/.test(upstream)) return 'is empty, longer than 200 characters or holds a space';
  if (key('default') !== upstream) return 'changes from one call to the next';
  if (key('another-account') !== upstream) return 'changes with the account id';
  for (const [field, value] of Object.entries(credentials)) {
    // The field is named, never the value: this message is printed by a failing test.
    if (value.length >= 4 && upstream.includes(value)) return `holds the credential ${field}`;
  }
  return null;
}
