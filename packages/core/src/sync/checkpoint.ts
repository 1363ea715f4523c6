/** Where an interrupted cycle resumes: stored with every page, cleared when the cycle completes. */
export interface Checkpoint {
  mode: 'full' | 'incremental';
  pageToken: string;
  cursor: string | null;
  /** The provider's own checkpoint for the page, kept for its diagnostics. */
  provider?: Record<string, unknown> | null;
  /**
   * A full sync whose every committed page recorded what it saw (`contacts_sync_seen`) since its
   * first page: resumed, it can still tombstone the links it never saw.
   */
  seenRecorded?: boolean;
  /** When the page was committed (ISO 8601): how long ago a resumed full sync last listed. */
  savedAt?: string;
  /**
   * Pages and contacts the listing took up to here: a resumed listing stays within the same
   * bounds, so a source that never ends cannot get a fresh allowance with every resume.
   */
  pages?: number;
  items?: number;
  /** An incremental listing recorded deletions on its pages so far (`contacts_sync_seen`). */
  deletionsRecorded?: boolean;
}

const count = (value: unknown): number | undefined =>
  typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 ? value : undefined;

/** The stored checkpoint, or null when there is none or it is not one this code wrote. */
export function readCheckpoint(value: Record<string, unknown> | null): Checkpoint | null {
  if (!value) return null;
  const { mode, pageToken, cursor, seenRecorded, savedAt } = value;
  if ((mode !== 'full' && mode !== 'incremental') || typeof pageToken !== 'string') return null;
  const pages = count(value.pages);
  const items = count(value.items);
  return {
    mode,
    pageToken,
    cursor: typeof cursor === 'string' ? cursor : null,
    seenRecorded: seenRecorded === true,
    ...(typeof savedAt === 'string' ? { savedAt } : {}),
    ...(pages !== undefined ? { pages } : {}),
    ...(items !== undefined ? { items } : {}),
    ...(value.deletionsRecorded === true ? { deletionsRecorded: true } : {}),
  };
}
