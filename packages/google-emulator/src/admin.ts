import type { AccessTokenGrant, EmulatorCredentials, OAuthState } from './auth.js';
import type { OffsetClock } from './clock.js';
import type { FaultOptions, FaultQueue, PendingFault } from './faults.js';
import type { EmulatorEndpoint, RequestLog, RequestLogEntry } from './request-log.js';
import type { PersonCollection, PersonRecord } from './store/people.js';
import type { EmulatorStore } from './store/store.js';
import type { ContactGroup, Person, PersonInput } from './types.js';

/**
 * The emulator's control surface for tests and demos: change the address book behind a running
 * server, move its clock, break its OAuth state, inject faults, and read what was requested.
 * Every change is visible to the next request, and to sync tokens as Google would show it.
 *
 * @example
 * ```ts
 * const { admin } = await startGoogleEmulator({ people: 100 });
 * const ada = admin.addPerson({ names: [{ givenName: 'Ada', familyName: 'Lovelace' }] });
 * admin.updatePerson(ada.resourceName, { emailAddresses: [{ value: 'ada@example.com' }] });
 * admin.renamePerson(ada.resourceName); // new resourceName; sync responses carry previousResourceNames
 * const bad = admin.addRawPerson({ resourceName: 'people/c42', etag: 'e1', names: 'not a list' }); // served as is
 * admin.replaceRawPerson(bad.resourceName, { resourceName: 'people/c42', etag: 'e2', names: [{ givenName: 'Fixed' }] });
 * admin.advanceClock(7 * 24 * 3600 * 1000); // sync tokens issued before now are expired
 * admin.injectFault({ kind: 'rateLimit', endpoint: 'connections', retryAfterSeconds: 30 });
 * ```
 */
export interface EmulatorAdmin {
  /** The emulator clock (epoch ms). */
  now(): number;
  /** Moves the emulator clock forward by `ms`; returns the new time. */
  advanceClock(ms: number): number;

  /** Contacts in creation order, in full; tombstones too with `includeDeleted`. */
  people(options?: { includeDeleted?: boolean }): Person[];
  /** A contact by current or former resource name (a tombstone if deleted). */
  person(resourceName: string): Person | undefined;
  /** Adds a contact; memberships default to myContacts. Returns it in full. */
  addPerson(input?: PersonInput): Person;
  /** Replaces the lists given (an empty list clears one); etags and updateTime change. */
  updatePerson(resourceName: string, patch: PersonInput): Person;
  /** Deletes a contact; the tombstone stays for sync-token responses. Returns the tombstone. */
  deletePerson(resourceName: string): Person;
  /** Gives a contact a new resource name (default: a linked-profile style `people/1…`). */
  renamePerson(resourceName: string, newResourceName?: string): Person;
  /**
   * Adds a contact served exactly as `json` (a deep copy): any JSON value, however malformed
   * (missing or wrongly typed fields, impossible dates, NUL bytes, another contact's id), with no
   * field mask, derived value or primary flag applied. It takes part in listings, page tokens,
   * sync tokens and the change log like any contact; its etag is whatever `json` says. Returns
   * the resource name to address it by in admin calls (its own `people/c…`; the `resourceName`
   * it claims finds it too, when no other contact has that name) and the JSON.
   */
  addRawPerson(json: unknown): RawPerson;
  /**
   * Replaces what a contact serves by `json`, as given (a raw person's correction, or a normal
   * contact made raw): a change, so the next sync-token response carries it. Deleting works as
   * for any contact; patching and renaming a raw person are refused (INVALID_INPUT).
   */
  replaceRawPerson(resourceName: string, json: unknown): RawPerson;
  /**
   * Adds a contact served exactly as the JSON `text` given, byte for byte, as
   * {@link addRawPerson} does for a value: for JSON no JavaScript value can be serialised from
   * (a person nested 10,000 levels deep, on which `JSON.stringify` overflows the stack).
   */
  addRawPersonText(text: string): RawPerson;
  /** Replaces what a contact serves by the JSON `text` given, byte for byte. */
  replaceRawPersonText(resourceName: string, text: string): RawPerson;

  otherContacts(options?: { includeDeleted?: boolean }): Person[];
  addOtherContact(input?: PersonInput): Person;
  updateOtherContact(resourceName: string, patch: PersonInput): Person;
  deleteOtherContact(resourceName: string): Person;

  /** Live contact groups with their member counts. */
  groups(): ContactGroup[];
  /** Adds a user group with a new opaque id. */
  addGroup(name: string): ContactGroup;
  /** Deletes a user group and removes it from its members (who change, as in Google). */
  removeGroup(resourceName: string): void;

  /** The current client id, secret and refresh token. */
  credentials(): EmulatorCredentials;
  /** Mints an access token without a round trip to `/token`. */
  issueAccessToken(): AccessTokenGrant;
  /**
   * Every access token issued so far (`/token` and {@link issueAccessToken}; the most recent
   * 10,000), expired and revoked ones too: what a test searches logs and errors for.
   */
  issuedAccessTokens(): string[];
  /** `/token` answers invalid_grant from now on; access tokens it minted die too unless kept. */
  revokeRefreshToken(options?: { keepAccessTokens?: boolean }): void;
  /** Makes `refreshToken` (or a new deterministic one) the valid refresh token; returns it. */
  rotateRefreshToken(refreshToken?: string): string;
  /** Invalidates every access token issued so far (the next API call gets 401). */
  revokeAccessTokens(): void;

  /** Queues a fault for the next matching requests. */
  injectFault(fault: FaultOptions): PendingFault;
  pendingFaults(): PendingFault[];
  clearFaults(): void;

  /** Requests served (faulted ones included), for one endpoint or all; admin calls are not counted. */
  requestCount(endpoint?: EmulatorEndpoint): number;
  /** The most recent requests (up to 10,000), oldest first. */
  requests(endpoint?: EmulatorEndpoint): RequestLogEntry[];
  resetRequests(): void;
}

/**
 * A contact added by {@link EmulatorAdmin.addRawPerson}: the resource name admin calls address
 * it by, and the JSON it serves.
 */
export interface RawPerson {
  resourceName: string;
  person: unknown;
}

/**
 * A record as the admin API shows it: in full, with `previousResourceNames` and `deleted` when
 * set. A raw person shows as the JSON it serves (typed as a Person, which it need not be).
 */
function view(record: PersonRecord): Person {
  // A copy: a caller editing it must not change what is served without a change-log entry.
  if (record.raw !== undefined && !record.deleted) return copyOfRaw(record) as Person;
  const person = record.person;
  if (record.previousResourceNames.length === 0 && !record.deleted) return person;
  const metadata = { ...person.metadata };
  if (record.previousResourceNames.length > 0)
    metadata.previousResourceNames = [...record.previousResourceNames];
  if (record.deleted)
    return { resourceName: person.resourceName, etag: person.etag, metadata: { ...metadata, deleted: true } };
  return { ...person, metadata };
}

function rawView(record: PersonRecord): RawPerson {
  return { resourceName: record.person.resourceName, person: copyOfRaw(record) };
}

/** A copy of a raw person's JSON; parsed again from its text, which may be too deep to clone. */
function copyOfRaw(record: PersonRecord): unknown {
  return record.rawText === undefined ? structuredClone(record.raw) : JSON.parse(record.rawText);
}

function list(collection: PersonCollection, includeDeleted = false): Person[] {
  const out: Person[] = [];
  for (const record of collection.all()) if (includeDeleted || !record.deleted) out.push(view(record));
  return out;
}

const MY_CONTACTS = {
  contactGroupMembership: {
    contactGroupId: 'myContacts',
    contactGroupResourceName: 'contactGroups/myContacts',
  },
};

/** Builds the admin API over the emulator's parts. */
export function createAdmin(parts: {
  store: EmulatorStore;
  clock: OffsetClock;
  auth: OAuthState;
  faults: FaultQueue;
  log: RequestLog;
}): EmulatorAdmin {
  const { store, clock, auth, faults, log } = parts;
  const groupView = (group: ContactGroup, id: string): ContactGroup => {
    const count = store.memberCounts().get(id);
    return count ? { ...group, memberCount: count } : { ...group };
  };
  return {
    now: () => clock.now(),
    advanceClock: (ms) => clock.advance(ms),

    people: (options) => list(store.people, options?.includeDeleted),
    person: (resourceName) => {
      const record = store.people.find(resourceName);
      return record && view(record);
    },
    addPerson: (input = {}) => view(store.people.add({ memberships: [MY_CONTACTS], ...input })),
    updatePerson: (resourceName, patch) => view(store.people.update(resourceName, patch)),
    deletePerson: (resourceName) => view(store.people.remove(resourceName)),
    renamePerson: (resourceName, newResourceName) => view(store.people.rename(resourceName, newResourceName)),
    addRawPerson: (json) => rawView(store.people.addRaw(json)),
    replaceRawPerson: (resourceName, json) => rawView(store.people.replaceRaw(resourceName, json)),
    addRawPersonText: (text) => rawView(store.people.addRawText(text)),
    replaceRawPersonText: (resourceName, text) => rawView(store.people.replaceRawText(resourceName, text)),

    otherContacts: (options) => list(store.otherContacts, options?.includeDeleted),
    addOtherContact: (input = {}) => view(store.otherContacts.add(input)),
    updateOtherContact: (resourceName, patch) => view(store.otherContacts.update(resourceName, patch)),
    deleteOtherContact: (resourceName) => view(store.otherContacts.remove(resourceName)),

    groups: () => store.groups.live().map((record) => groupView(record.group, record.id)),
    addGroup: (name) => {
      const record = store.groups.add(name);
      return groupView(record.group, record.id);
    },
    removeGroup: (resourceName) => store.removeGroup(resourceName),

    credentials: () => auth.credentials,
    issueAccessToken: () => auth.issueAccessToken(),
    issuedAccessTokens: () => auth.issuedAccessTokens(),
    revokeRefreshToken: (options) => auth.revokeRefreshToken(options),
    rotateRefreshToken: (refreshToken) => auth.rotateRefreshToken(refreshToken),
    revokeAccessTokens: () => auth.revokeAccessTokens(),

    injectFault: (fault) => faults.add(fault),
    pendingFaults: () => faults.list(),
    clearFaults: () => faults.clear(),

    requestCount: (endpoint) => log.count(endpoint),
    requests: (endpoint) => log.entries(endpoint),
    resetRequests: () => log.reset(),
  };
}
