import type { ScalarField } from './desired-contact.js';
import type { FieldConflict } from './provenance.js';
import type { ActivityWrite } from './write-page.js';

/**
 * The activity feed types the engine writes.
 *
 * @example
 * ```ts
 * const t = butlerTables('relationship');
 * const conflicts = await db.select().from(t.activityFeed).where(eq(t.activityFeed.type, ACTIVITY_TYPES.conflict));
 * ```
 */
export const ACTIVITY_TYPES = {
  synced: 'contact_synced',
  updated: 'contact_sync_updated',
  conflict: 'contact_sync_conflict',
  deletedSource: 'contact_sync_deleted_source',
  ambiguous: 'contact_sync_ambiguous',
} as const;

interface Source {
  provider: string;
  accountId: string;
  externalId: string;
}

const where = (s: Source) => `${s.provider} (${s.accountId})`;
const base = (s: Source) => ({ provider: s.provider, account_id: s.accountId, external_id: s.externalId });
const quote = (v: string | null) =>
  v == null ? 'nothing' : `"${v.length > 80 ? `${v.slice(0, 77)}...` : v}"`;

/** One human sentence and structured details per event: what a person reads in the feed. */
export const activity = {
  created(contactId: string, name: string, s: Source): ActivityWrite {
    return {
      contact_id: contactId,
      type: ACTIVITY_TYPES.synced,
      description: `Added ${name} from ${where(s)}.`,
      details: { ...base(s), strategy: 'new' },
    };
  },
  linked(contactId: string, name: string, s: Source, strategy: string): ActivityWrite {
    return {
      contact_id: contactId,
      type: ACTIVITY_TYPES.synced,
      description: `Linked ${name} to a contact of ${where(s)} (matched by ${strategy.replace('_', ' ')}).`,
      details: { ...base(s), strategy },
    };
  },
  updated(
    contactId: string,
    name: string,
    s: Source,
    fields: ScalarField[],
    added: string[],
    removed: string[],
    modified: string[] = [],
  ): ActivityWrite {
    const parts = [
      ...fields.map((f) => f.replace('_', ' ')),
      ...(added.length > 0 ? [`${added.length} added`] : []),
      ...(removed.length > 0 ? [`${removed.length} removed`] : []),
      ...(modified.length > 0 ? [`${modified.length} changed`] : []),
    ];
    return {
      contact_id: contactId,
      type: ACTIVITY_TYPES.updated,
      description: `Updated ${name} from ${where(s)}: ${parts.join(', ')}.`,
      details: { ...base(s), fields, added, removed, ...(modified.length > 0 ? { modified } : {}) },
    };
  },
  conflict(contactId: string, name: string, s: Source, conflicts: FieldConflict[]): ActivityWrite {
    const edits = conflicts.filter((c) => c.kept_from === 'person');
    const merged = conflicts.filter((c) => c.kept_from === 'another_source');
    const list = (items: FieldConflict[], kept: string) =>
      items
        .map(
          (c) =>
            `${c.field.replace('_', ' ')} (${kept}: ${quote(c.local_value)}, ${s.provider}: ${quote(c.source_value)})`,
        )
        .join('; ');
    // A hand edit and a disagreement between two merged source entries read differently.
    const sentences = [
      ...(edits.length > 0
        ? [`Kept your edits of ${name}; ${where(s)} says otherwise for ${list(edits, 'yours')}.`]
        : []),
      ...(merged.length > 0
        ? [
            `${name} is linked to several ${where(s)} entries that disagree; kept the first one's ${list(merged, 'kept')}. Merge or split them there if they are different people.`,
          ]
        : []),
    ];
    return {
      contact_id: contactId,
      type: ACTIVITY_TYPES.conflict,
      description: sentences.join(' '),
      details: { ...base(s), conflicts },
    };
  },
  deletedSource(contactId: string, name: string, s: Source): ActivityWrite {
    return {
      contact_id: contactId,
      type: ACTIVITY_TYPES.deletedSource,
      description: `${name} was deleted in ${where(s)}; the contact is kept here.`,
      details: base(s),
    };
  },
  ambiguous(contactId: string, name: string, s: Source, candidates: string[]): ActivityWrite {
    return {
      contact_id: contactId,
      type: ACTIVITY_TYPES.ambiguous,
      description: `Added ${name} from ${where(s)} as a new contact: ${candidates.length} existing contacts have that name. Merge them if they are the same person.`,
      details: { ...base(s), candidates },
    };
  },
};
