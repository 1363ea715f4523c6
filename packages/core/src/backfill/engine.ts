import { createHash, randomUUID } from 'node:crypto';
import type { ContactsDatabase } from '@contacts/schema';
import { CoreError } from '../errors.js';
import {
  type CanonicalContact,
  type CanonicalGroup,
  MAX_ID_BYTES,
  MAX_ID_LENGTH,
  MAX_TEXT_LENGTH,
} from '../model/canonical-contact.js';
import { describeContact, parseCanonicalContact } from '../model/parse-contact.js';
import type { ContactsProvider } from '../provider/contacts-provider.js';
import { type Clock, systemClock } from '../util/clock.js';
import { errorMessage } from '../util/error-message.js';
import { type Logger, silentLogger } from '../util/logger.js';
import { activity } from './activity.js';
import { boundedJson, MAX_KEPT_CHARACTERS, MAX_KEPT_DEPTH, MAX_KEPT_VALUES } from './bounded-json.js';
import { type DesiredContact, storableText, toDesiredContact } from './desired-contact.js';
import { DEFAULT_IDENTITY_LOCK_CAP, identityLockPlan, lockIdentities } from './identity-locks.js';
import { canonicalJson, storableJson } from './json-rows.js';
import { cloneState, loadContactStates } from './load-state.js';
import { applySourceContact, type ContactState, markSourceDeleted } from './provenance.js';
import { emptyProvenance, parseSourceKey, sourceKey as sourceKeyOf } from './provenance-codec.js';
import { ContactBackfillResolver, type ExistingLink } from './resolver.js';
import { type BackfillSummary, emptySummary } from './summary.js';
import { type FailureWrite, type PageWrites, writePage } from './write-page.js';

/**
 * Options of {@link ContactBackfillEngine}.
 *
 * @example
 * ```ts
 * const options: BackfillEngineOptions = { db, butlerSchema: 'relationship', provider: 'google', accountId: 'default', logger: silentLogger };
 * const engine = new ContactBackfillEngine({ ...options, groups: await provider.listGroups() });
 * ```
 */
export interface BackfillEngineOptions {
  db: ContactsDatabase;
  butlerSchema: string;
  /** The provider (or its name) the contacts come from. */
  provider: ContactsProvider | string;
  accountId: string;
  /** Groups by external id, so memberships become labels named after the group. */
  groups?: CanonicalGroup[];
  clock?: Clock;
  logger?: Logger;
  /**
   * Distinct identity keys above which a page locks all identities instead of its own
   * ({@link DEFAULT_IDENTITY_LOCK_CAP}; see `identity-locks.ts` for the lock table it protects).
   */
  identityLockCap?: number;
}

interface Parsed {
  index: number;
  input: unknown;
  contact: CanonicalContact;
  desired: DesiredContact;
}

/**
 * Turns pages of provider contacts into CRM rows: resolves identity for the whole page, applies
 * the provenance rules, writes contacts, contact_info, addresses, important dates, labels, source
 * links and activity with a bounded number of set-based statements, all in one transaction.
 * Unchanged contacts (same etag) cost no write; tombstones mark the link deleted and keep the
 * contact; a contact that cannot be applied goes to `contacts_sync_failures` and the rest of the
 * page commits.
 *
 * @example
 * ```ts
 * const engine = new ContactBackfillEngine({ db, butlerSchema: 'relationship', provider: 'google', accountId: 'default' });
 * const summary = await engine.applyBatch(page.contacts);
 * // { fetched: 1000, applied: 1000, skipped: 0, unchanged: 0, deleted: 0, created: 998, updated: 0, conflicts: 0, failed: 2 }
 * ```
 */
export class ContactBackfillEngine {
  readonly #db: ContactsDatabase;
  readonly #butlerSchema: string;
  readonly #provider: string;
  readonly #accountId: string;
  readonly #clock: Clock;
  readonly #logger: Logger;
  readonly #resolver: ContactBackfillResolver;
  readonly #identityLockCap: number;
  #groups = new Map<string, { name: string; system: boolean }>();

  constructor(options: BackfillEngineOptions) {
    this.#db = options.db;
    this.#butlerSchema = options.butlerSchema;
    this.#provider = typeof options.provider === 'string' ? options.provider : options.provider.name();
    this.#accountId = options.accountId;
    this.#clock = options.clock ?? systemClock;
    this.#logger = options.logger ?? silentLogger;
    this.#identityLockCap = options.identityLockCap ?? DEFAULT_IDENTITY_LOCK_CAP;
    this.#resolver = new ContactBackfillResolver({
      butlerSchema: this.#butlerSchema,
      provider: this.#provider,
      accountId: this.#accountId,
    });
    if (options.groups) this.setGroups(options.groups);
  }

  /** Adds or replaces known groups (deleted groups are forgotten). */
  setGroups(groups: readonly CanonicalGroup[]): void {
    for (const g of groups) {
      if (g.deleted) this.#groups.delete(g.external_id);
      else this.#groups.set(g.external_id, { name: g.name, system: g.system });
    }
  }

  /** Makes `groups` the only known groups (a listing of them all: the others were deleted). */
  replaceGroups(groups: readonly CanonicalGroup[]): void {
    this.#groups = new Map();
    this.setGroups(groups);
  }

  /** Applies a page in its own transaction. */
  async applyBatch(
    contacts: readonly unknown[],
    options: { seen?: Set<string>; failed?: Set<string> } = {},
  ): Promise<BackfillSummary> {
    return this.#db.transaction((tx) => this.applyBatchIn(tx, contacts, options));
  }

  /**
   * Applies a page inside a transaction the caller holds (the sync cycle commits its checkpoint
   * in the same one). `seen` collects every valid external id of the page (full-sync tombstoning),
   * `failed` the keys of the page's failure rows (each also in `seen`).
   */
  async applyBatchIn(
    tx: ContactsDatabase,
    contacts: readonly unknown[],
    options: { seen?: Set<string>; failed?: Set<string> } = {},
  ): Promise<BackfillSummary> {
    const summary = emptySummary();
    summary.fetched = contacts.length;
    const failures: FailureWrite[] = [];
    // The page's links, read first with one query, from the ids as sent: a contact whose etag is
    // the one its live link holds is skipped before it is validated and mapped, which is most of
    // what an unchanged page would cost (an unchanged full sync is nothing but such contacts).
    const quick = contacts.map(quickLook);
    // Each id once, with the etag it may be skipped at (none when it may not, or when the page
    // sends it twice with two etags).
    const linkIds = new Map<string, string | null>();
    for (const q of quick) {
      if (!q) continue;
      const etag = q.unchangedCandidate ? q.etag : null;
      linkIds.set(q.id, linkIds.has(q.id) && linkIds.get(q.id) !== etag ? null : etag);
      for (const previous of q.previousIds) linkIds.set(previous, null);
    }
    const { links, unchanged: sameEtag } =
      linkIds.size > 0
        ? await this.#resolver.pageLinks(tx, linkIds)
        : { links: new Map<string, ExistingLink>(), unchanged: new Set<string>() };
    // The last occurrence of an id in a page wins, as it would across pages.
    const byId = new Map<string, Parsed>();
    contacts.forEach((input, index) => {
      // Nothing one contact holds may fail the page: whatever throws becomes its failure row.
      const given = fieldOf(input, 'external_id');
      // Ids as the database stores them (no NUL, no half emoji): `people/c1` and `people/c1\0`
      // are one link, so one id of the page, and `seen` holds what the links hold.
      const id = typeof given === 'string' ? storableText(given) : undefined;
      // The last occurrence of an id wins over earlier ones, valid or not.
      if (id !== undefined) {
        const earlier = failures.findIndex((f) => f.external_contact_id === id);
        if (earlier >= 0) failures.splice(earlier, 1);
      }
      const q = quick[index];
      if (q?.unchangedCandidate && sameEtag.has(q.id) && linkIds.get(q.id) === q.etag) {
        // Seen, and not written: exactly what the skip below does with a parsed contact.
        options.seen?.add(q.id);
        byId.delete(q.id);
        return;
      }
      try {
        const contact = parseCanonicalContact(input);
        const desired = toDesiredContact(contact, this.#groups);
        options.seen?.add(desired.externalId);
        // A renamed contact's old link is seen through it too, should this contact fail to
        // write: else a full sync would tombstone a person who is still at the source.
        for (const previous of contact.previous_external_ids) options.seen?.add(storableText(previous));
        byId.delete(desired.externalId);
        byId.set(desired.externalId, { index, input, contact, desired });
      } catch (error) {
        // Still seen: a contact that arrives malformed was not deleted at the source. Its failure
        // key (`invalid:<hash>` when it has no id) is seen too, so the cycle's retry skips it.
        if (id !== undefined && id !== '') {
          options.seen?.add(id);
          byId.delete(id);
        }
        const previous = fieldOf(input, 'previous_external_ids');
        if (Array.isArray(previous)) {
          for (const p of previous) if (typeof p === 'string') options.seen?.add(storableText(p));
        }
        const failure = this.#failure(input, error);
        options.seen?.add(failure.external_contact_id);
        // Equal payloads without a usable id share their hash key: one row, as for an id given
        // twice. One insert touching a row twice is refused by Postgres, and the page with it.
        const same = failures.findIndex((f) => f.external_contact_id === failure.external_contact_id);
        if (same >= 0) failures.splice(same, 1);
        failures.push(failure);
      }
    });
    summary.skipped += contacts.length - failures.length - byId.size;
    // An unchanged contact (same etag as its live link) costs no write; a page of nothing else
    // costs the one query above: no identity lock, no savepoint.
    const parsed = [...byId.values()].filter((p) => {
      const same = !p.desired.deleted && unchanged(links.get(p.desired.externalId), p.desired.etag);
      if (same) summary.skipped += 1;
      return !same;
    });
    if (parsed.length > 0) {
      // Pages that could resolve to the same person queue behind one another, across processes
      // and butlers (prior-art #15); the others go on at once. Before anything identity reads.
      const taken = await lockIdentities(tx, this.#lockPlan(parsed, links), this.#identityLockCap);
      // Over the cap the page waits for every page in flight: an operator seeing this often
      // lowers the page size or raises the cap with `max_locks_per_transaction`.
      if (taken.mode === 'exclusive') {
        this.#logger.info('identity_lock_exclusive', {
          provider: this.#provider,
          keys: taken.keys,
          cap: this.#identityLockCap,
        });
      }
    }
    const pageSummary = await this.#applyIsolated(tx, parsed, failures, links);
    for (const key of Object.keys(summary) as (keyof BackfillSummary)[]) summary[key] += pageSummary[key];
    if (failures.length > 0) {
      await writePage(this.#context(tx), { ...emptyWrites(), failures });
      summary.failed += failures.length;
      for (const f of failures) {
        options.failed?.add(f.external_contact_id);
        this.#logger.warn('contact_apply_failed', {
          provider: this.#provider,
          external_id: f.external_contact_id,
          error: f.error,
        });
      }
    }
    return summary;
  }

  /**
   * Applies `parsed` in a savepoint; when the database refuses it, applies each half on its own,
   * down to the single contact at fault, which becomes a failure. Costs nothing extra when all is well.
   */
  async #applyIsolated(
    tx: ContactsDatabase,
    parsed: Parsed[],
    failures: FailureWrite[],
    links: ReadonlyMap<string, ExistingLink>,
  ): Promise<BackfillSummary> {
    if (parsed.length === 0) return emptySummary();
    try {
      return await tx.transaction((sp) => this.#apply(sp, parsed, links));
    } catch (error) {
      if (parsed.length === 1) {
        failures.push(this.#failure(parsed[0]!.input, error));
        return emptySummary();
      }
      const half = Math.ceil(parsed.length / 2);
      const a = await this.#applyIsolated(tx, parsed.slice(0, half), failures, links);
      const b = await this.#applyIsolated(tx, parsed.slice(half), failures, links);
      const sum = emptySummary();
      for (const key of Object.keys(sum) as (keyof BackfillSummary)[]) sum[key] = a[key] + b[key];
      return sum;
    }
  }

  async #apply(
    tx: ContactsDatabase,
    parsed: Parsed[],
    links: ReadonlyMap<string, ExistingLink>,
  ): Promise<BackfillSummary> {
    const summary = emptySummary();
    const resolutions = await this.#resolver.resolve(
      tx,
      parsed.map((p) => p.desired),
      links,
    );
    const writes = emptyWrites();
    const sourceKey = sourceKeyOf(this.#provider, this.#accountId);
    const src = (externalId: string) => ({
      provider: this.#provider,
      accountId: this.#accountId,
      externalId,
    });

    const toApply: { p: Parsed; contactId: string; isNew: boolean }[] = [];
    const tombstoned: { p: Parsed; contactId: string | null }[] = [];
    const newIds = new Map<string, string>();
    for (const p of parsed) {
      const r = resolutions.get(p.desired.externalId)!;
      const link = r.link ?? r.renamedFrom;
      if (p.desired.deleted) {
        if (link && !link.deleted) tombstoned.push({ p, contactId: link.localContactId });
        else summary.skipped += 1;
        // Deleted at the source: an earlier failure of this contact must never be retried back.
        writes.clearedFailures.push(p.desired.externalId);
        continue;
      }
      // Unchanged contacts (same etag as a live link) never reach here: applyBatchIn skips them.
      if (link && link.localContactId === null) {
        // A person deleted the CRM contact: keep it deleted, remember the source still has it.
        summary.skipped += 1;
        continue;
      }
      let contactId = r.contactId;
      let isNew = false;
      if (!contactId) {
        const mergedInto = r.mergedWith ? newIds.get(r.mergedWith) : undefined;
        contactId = mergedInto ?? randomUUID();
        isNew = mergedInto === undefined;
        newIds.set(p.desired.externalId, contactId);
      }
      toApply.push({ p, contactId, isNew });
    }

    const existing = [...new Set(toApply.filter((a) => !a.isNew).map((a) => a.contactId))];
    const tombstoneContacts = tombstoned.map((t) => t.contactId).filter((id): id is string => id !== null);
    const before = await loadContactStates(tx, this.#butlerSchema, [
      ...new Set([...existing, ...tombstoneContacts]),
    ]);
    const after = new Map<string, ContactState>();
    for (const [id, state] of before) after.set(id, cloneState(state));

    // The id a tombstone deletes: its own, or the old one of a contact renamed before it went.
    const deletedId = (p: Parsed) => {
      const r = resolutions.get(p.desired.externalId)!;
      return r.link ? p.desired.externalId : (r.renamedFrom?.externalId ?? p.desired.externalId);
    };
    const renamedAway = new Set(
      toApply.flatMap(({ p }) => resolutions.get(p.desired.externalId)?.renamedFrom?.externalId ?? []),
    );
    // Deletions count in page order among the other contacts, as they would a page apart: what
    // a deleted entry wrote is free for the contacts after it (a person deleted and added again
    // under a new id), however the listing was cut into pages.
    const unmarked = [...tombstoned];
    const markDeletionsBefore = (index: number) => {
      while (unmarked.length > 0 && unmarked[0]!.p.index < index) {
        const { p, contactId } = unmarked.shift()!;
        const id = deletedId(p);
        const state = contactId ? after.get(contactId) : undefined;
        // The old id of a contact renamed in this same page: its link moved, the person lives on.
        if (!state || !contactId || renamedAway.has(id)) continue;
        for (const handed of markSourceDeleted(state, sourceKey, id)) {
          const from = parseSourceKey(handed.source);
          writes.activity.push(
            activity.updated(
              contactId,
              state.fields.name ?? 'A contact',
              { ...from, externalId: handed.externalId },
              handed.fields,
              [],
              [],
            ),
          );
        }
      }
    };

    for (const { p, contactId, isNew } of toApply) {
      markDeletionsBefore(p.index);
      let state = after.get(contactId);
      if (!state) {
        // New, or resolved to a contact deleted since: either way it is (re)created under this id.
        state = newState(contactId, this.#butlerSchema);
        after.set(contactId, state);
      }
      const r = resolutions.get(p.desired.externalId)!;
      const outcome = applySourceContact(state, p.desired, sourceKey);
      const name = state.fields.name ?? 'Unnamed contact';
      const s = src(p.desired.externalId);
      if (isNew) {
        summary.created += 1;
        writes.activity.push(
          r.strategy === 'ambiguous_name'
            ? activity.ambiguous(contactId, name, s, r.candidates)
            : activity.created(contactId, name, s),
        );
      } else {
        if (!r.link && !r.renamedFrom)
          writes.activity.push(
            activity.linked(
              contactId,
              name,
              s,
              r.strategy === 'new' ? 'email or phone in this page' : r.strategy,
            ),
          );
        const changes =
          outcome.changedFields.length +
          outcome.added.length +
          outcome.removed.length +
          outcome.modified.length;
        if (changes > 0) {
          if (!state.isNew) summary.updated += 1;
          writes.activity.push(
            activity.updated(
              contactId,
              name,
              s,
              outcome.changedFields,
              outcome.added,
              outcome.removed,
              outcome.modified,
            ),
          );
        }
      }
      if (outcome.conflicts.length > 0) {
        summary.conflicts += outcome.conflicts.length;
        writes.activity.push(activity.conflict(contactId, name, s, outcome.conflicts));
      }
      writes.links.push({ externalId: p.desired.externalId, contactId, etag: p.desired.etag });
      if (r.renamedFrom) writes.renamedIds.push(r.renamedFrom.externalId);
      writes.clearedFailures.push(p.desired.externalId);
      summary.applied += 1;
    }

    markDeletionsBefore(Number.POSITIVE_INFINITY);
    for (const { p, contactId } of tombstoned) {
      const id = deletedId(p);
      // The old id of a contact renamed in this same page: its link moved, the person lives on.
      if (writes.renamedIds.includes(id)) {
        summary.skipped += 1;
        writes.clearedFailures.push(p.desired.externalId);
        continue;
      }
      writes.tombstones.push({ externalId: id, etag: p.desired.etag });
      const state = contactId ? after.get(contactId) : undefined;
      if (contactId && state) {
        writes.activity.push(activity.deletedSource(contactId, state.fields.name ?? 'A contact', src(id)));
      }
      writes.clearedFailures.push(p.desired.externalId);
      summary.deleted += 1;
    }

    await writePage(this.#context(tx), { ...writes, before, after });
    return summary;
  }

  /**
   * What `parsed` locks: the contacts it will write and the CRM contacts their links, or their
   * previous ids' links, reach. A deletion writes no keys of its own, but its contact's name may
   * pass to another source's value (or stop being the deleted entry's): its contact is locked
   * as a linked one. A link whose contact a person deleted writes nothing.
   */
  #lockPlan(parsed: readonly Parsed[], links: ReadonlyMap<string, ExistingLink>) {
    const written: DesiredContact[] = [];
    const linked: string[] = [];
    for (const { desired } of parsed) {
      if (desired.deleted) {
        const contactId = links.get(desired.externalId)?.localContactId;
        if (contactId) linked.push(contactId);
        continue;
      }
      const link =
        links.get(desired.externalId) ??
        desired.previousIds.map((id) => links.get(id)).find((l) => l !== undefined);
      if (link && link.localContactId === null) continue;
      written.push(desired);
      if (link?.localContactId) linked.push(link.localContactId);
    }
    return identityLockPlan(written, linked);
  }

  #context(db: ContactsDatabase) {
    return {
      db,
      butlerSchema: this.#butlerSchema,
      provider: this.#provider,
      accountId: this.#accountId,
      now: this.#clock.now(),
    };
  }

  /**
   * The failure row of a contact; never throws. Its payload is kept as a bounded copy: one
   * nested 10,000 levels deep made `JSON.stringify` throw while the page's failure rows were
   * written, outside the per-contact isolation, and so failed the whole page on every cycle.
   */
  #failure(input: unknown, error: unknown): FailureWrite {
    const kept = boundedJson(input);
    const id = fieldOf(input, 'external_id');
    // Keyed by its id when it has a usable one; else (none, not text, or too long to be a key) by
    // a hash of the payload. A 100 KB id as the key would make the failure row itself refused,
    // and with it the whole page.
    const usable =
      typeof id === 'string' &&
      id !== '' &&
      id.length <= MAX_ID_LENGTH &&
      Buffer.byteLength(id, 'utf8') <= MAX_ID_BYTES;
    const notes = [
      ...(kept.cut
        ? [`Its payload nests deeper than ${MAX_KEPT_DEPTH} levels; it is kept cut at that depth.`]
        : []),
      // Not kept, so never retried: a payload cut short could read as valid and lose data.
      ...(kept.tooLarge
        ? [
            `Its payload holds over ${MAX_KEPT_VALUES.toLocaleString('en-US')} values or ${MAX_KEPT_CHARACTERS.toLocaleString('en-US')} characters; it is not kept.`,
          ]
        : []),
    ].join(' ');
    return {
      external_contact_id: usable ? storableText(id) : `invalid:${hashOf(kept.value)}`,
      error: withNote(failureMessage(input, error), notes, 2000),
      raw: kept.tooLarge ? null : kept.value,
    };
  }
}

/** Whether `link` is live, has its CRM contact, and holds `etag`: the contact needs no write. */
function unchanged(link: ExistingLink | undefined, etag: string | null): boolean {
  return (
    link !== undefined &&
    !link.deleted &&
    link.localContactId !== null &&
    link.etag !== null &&
    link.etag === etag
  );
}

/**
 * What a payload says of its identity, read without validating it: its id and previous ids as the
 * database stores them (for the page's links query), its etag, and whether it may be skipped
 * unvalidated when that etag is its link's. Null when it has no usable id. A payload that could
 * be anything but an unchanged contact (deleted, renamed, with problems the provider found, or an
 * id or etag that validation would refuse) takes the full path.
 */
function quickLook(input: unknown): {
  id: string;
  previousIds: string[];
  etag: string | null;
  unchangedCandidate: boolean;
} | null {
  const id = fieldOf(input, 'external_id');
  if (typeof id !== 'string' || id === '') return null;
  const etag = fieldOf(input, 'etag');
  const previous = fieldOf(input, 'previous_external_ids');
  const previousIds = Array.isArray(previous)
    ? previous.filter((p): p is string => typeof p === 'string').map(storableText)
    : [];
  const problems = fieldOf(input, 'source_problems');
  const stored = storableText(id);
  const unchangedCandidate =
    typeof etag === 'string' &&
    etag !== '' &&
    etag.length <= MAX_TEXT_LENGTH &&
    stored !== '' &&
    id.length <= MAX_ID_LENGTH &&
    Buffer.byteLength(id, 'utf8') <= MAX_ID_BYTES &&
    fieldOf(input, 'deleted') !== true &&
    (previous === undefined || (Array.isArray(previous) && previous.length === 0)) &&
    (problems === undefined || (Array.isArray(problems) && problems.length === 0));
  return {
    id: stored,
    previousIds,
    etag: typeof etag === 'string' ? storableText(etag) : null,
    unchangedCandidate,
  };
}

function newState(id: string, butlerSchema: string): ContactState {
  return {
    id,
    isNew: true,
    fields: {
      name: null,
      first_name: null,
      middle_name: null,
      last_name: null,
      nickname: null,
      company: null,
      job_title: null,
      avatar_url: null,
    },
    metadata: emptyProvenance(butlerSchema),
    info: new Map(),
    addresses: new Map(),
    dates: new Map(),
    labels: new Set(),
  };
}

function emptyWrites(): PageWrites {
  return {
    before: new Map(),
    after: new Map(),
    links: [],
    renamedIds: [],
    tombstones: [],
    activity: [],
    failures: [],
    clearedFailures: [],
  };
}

/** `text` cut to at most `max` UTF-16 units, never between the two halves of a character. */
function cutText(text: string, max: number): string {
  if (text.length <= max) return text;
  const code = text.charCodeAt(max - 1);
  return text.slice(0, code >= 0xd800 && code <= 0xdbff ? max - 1 : max);
}

/** `message`, cut to leave room for `note` after it, within `max` characters. */
function withNote(message: string, note: string, max: number): string {
  if (note === '') return cutText(message, max);
  return `${cutText(message, max - note.length - 1)} ${note}`;
}

/** A sentence a person can read in the failure table and the status; never a page of SQL. */
function failureMessage(input: unknown, error: unknown): string {
  if (error instanceof CoreError) return error.message; // validation: already names contact and field
  let id = '(without external_id)';
  try {
    id = describeContact(input);
  } catch {
    // An id that cannot be read is described as none.
  }
  if (error instanceof RangeError && /call stack/i.test(error.message)) {
    return `Could not apply contact ${id}: it is nested too deeply to process.`;
  }
  return `Could not apply contact ${id}: ${errorMessage(error).replace(/^Database query failed: /, '')}`;
}

/** A field of a payload, or undefined when it is not an object or reading the field throws. */
function fieldOf(input: unknown, key: string): unknown {
  if (input === null || typeof input !== 'object') return undefined;
  try {
    return (input as Record<string, unknown>)[key];
  } catch {
    return undefined;
  }
}

/**
 * A stable id for a payload without a usable external id. It must hash the same when it comes
 * back from jsonb for a retry: keys are sorted first (jsonb reorders them), and it is hashed as
 * jsonb stores it (without NUL, a lone surrogate as U+FFFD), else each retry of such a payload
 * would add a failure row instead of counting an attempt. Given the payload as
 * {@link boundedJson} keeps it (also what a retry reads back), so it cannot overflow the stack.
 */
function hashOf(kept: unknown): string {
  return createHash('sha256')
    .update(storableJson(canonicalJson(kept ?? null)))
    .digest('hex')
    .slice(0, 16);
}
