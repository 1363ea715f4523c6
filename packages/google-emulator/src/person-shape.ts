import { googleTimestamp } from './clock.js';
import { etagsFor } from './etag.js';
import { flat } from './flat.js';
import type { Person, PersonInput, SourceType } from './types.js';

/** `people/c<decimal id>` or `otherContacts/c<decimal id>`, as Google derives them from the hex id. */
export function resourceNameFor(sourceType: SourceType, id: string): string {
  return flat(sourceType === 'OTHER_CONTACT' ? 'otherContacts' : 'people', '/c', BigInt(flat('0x', id)));
}

/**
 * A person in Google's shape for one version of its data: etags derived from (id, version),
 * `metadata.sources[0]` carrying the source etag and update time.
 */
export function assemblePerson(options: {
  sourceType: SourceType;
  id: string;
  resourceName: string;
  version: number;
  updateTimeMs: number;
  fields: PersonInput;
}): Person {
  const { personEtag, sourceEtag } = etagsFor(options.id, options.version);
  const updateTime = googleTimestamp(
    options.updateTimeMs,
    (options.version * 137 + options.updateTimeMs) % 1000,
  );
  return {
    resourceName: options.resourceName,
    etag: personEtag,
    metadata: {
      sources: [{ type: options.sourceType, id: options.id, etag: sourceEtag, updateTime }],
      objectType: 'PERSON',
    },
    ...options.fields,
  };
}
