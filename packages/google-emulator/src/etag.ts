import { createHash } from 'node:crypto';
import { flat } from './flat.js';

// Etags are derived from (identity, version), so they are deterministic for a seed and change on
// every edit. Google's look like '%EiMB...' (person) and '#dUp6RO4EJS8=' (source); so do these.

/** The person etag and the source etag for one version of one person or group. */
export function etagsFor(id: string, version: number): { personEtag: string; sourceEtag: string } {
  const digest = createHash('sha256').update(`${id}:${version}`).digest();
  return {
    personEtag: flat('%Eg', digest.subarray(0, 24).toString('base64')),
    sourceEtag: flat('#', digest.subarray(24, 32).toString('base64')),
  };
}
