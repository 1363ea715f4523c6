import { describe } from 'vitest';
import { RADICALE_MISSING, radicaleAvailable } from './radicale.js';
import { XANDIKOS_MISSING, xandikosAvailable } from './xandikos.js';

/**
 * The real servers the conformance tests run on. Every test on one has `[radicale]` or
 * `[xandikos]` in its full name: `.ci/summarize-tests.mjs` fails CI when one of them was skipped
 * (as it does for a PostgreSQL half that did not run).
 *
 * @example
 * ```ts
 * for (const server of DAV_SERVERS) describeOnDavServer(server, () => { ... });
 * ```
 */
export const DAV_SERVERS = ['radicale', 'xandikos'] as const;

/**
 * One of {@link DAV_SERVERS}.
 *
 * @example
 * ```ts
 * const server: DavServerName = 'radicale';
 * ```
 */
export type DavServerName = (typeof DAV_SERVERS)[number];

const AVAILABILITY: Record<DavServerName, { available: () => boolean; missing: string }> = {
  radicale: { available: radicaleAvailable, missing: RADICALE_MISSING },
  xandikos: { available: xandikosAvailable, missing: XANDIKOS_MISSING },
};

/**
 * A describe block named `[server] title` that runs when the server's binary is installed, and
 * otherwise is skipped under the name `[server] skipped: <how to install it>` (its tests are still
 * listed, as skipped, so the CI summary sees them) with the same sentence on stderr.
 *
 * @example
 * ```ts
 * describeOnDavServer('radicale', 'DAV client', () => {
 *   it('discovers the book', async () => { ... });
 * });
 * ```
 */
export function describeOnDavServer(server: DavServerName, title: string, body: () => void): void {
  const { available, missing } = AVAILABILITY[server];
  if (available()) {
    describe(`[${server}] ${title}`, body);
    return;
  }
  console.warn(`[${server}] tests skipped: ${missing}`);
  describe.skip(`[${server}] ${title} (skipped: ${missing})`, body);
}
