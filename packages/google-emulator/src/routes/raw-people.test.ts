import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createManualClock } from '../clock.js';
import { EmulatorError } from '../errors.js';
import { type GoogleEmulator, startGoogleEmulator } from '../server.js';
import { type Answer, call, client } from '../test-support.js';

// Raw persons: hostile JSON served byte for byte, inside Google's paging and sync-token semantics.
const FIELDS = 'names,emailAddresses,metadata';

let emulator: GoogleEmulator;
let api: ReturnType<typeof client>;

beforeEach(async () => {
  emulator = await startGoogleEmulator({
    seed: 9,
    people: 3,
    clock: createManualClock(Date.UTC(2025, 0, 1)),
  });
  api = client(emulator);
});
afterEach(() => emulator.close());

const listing = (params: Record<string, string | number | boolean> = {}) =>
  api.all('v1/people/me/connections', 'connections', {
    personFields: FIELDS,
    requestSyncToken: true,
    ...params,
  });

function admin(method: string, path: string, body?: string): Promise<Answer> {
  return call(emulator.adminUrl, path, {
    method,
    ...(body === undefined ? {} : { headers: { 'content-type': 'application/json' }, body }),
  });
}

describe('raw persons', () => {
  it('serves any JSON as given, whatever the field mask, among the normal people', async () => {
    const hostile = {
      resourceName: 'people/c1',
      etag: 7,
      names: 'Ada',
      birthdays: [{ date: { month: 2, day: 30 } }],
      biographies: [{ value: 'n\u0000ul' }],
    };
    const added = emulator.admin.addRawPerson(hostile);
    emulator.admin.addRawPerson(null);
    emulator.admin.addRawPerson({ resourceName: 'people/c1', etag: 'dup' });
    expect(added.person).toEqual(hostile);
    expect(added.resourceName).toMatch(/^people\/c\d+$/);
    expect(added.resourceName).not.toBe('people/c1');

    const { items } = await listing({ pageSize: 2 });
    expect(items).toHaveLength(6);
    expect(items.slice(3)).toEqual([hostile, null, { resourceName: 'people/c1', etag: 'dup' }]);
    // Found by its handle, and by the id it claims (the first claim wins).
    expect(emulator.admin.person(added.resourceName)).toEqual(hostile);
    expect(emulator.admin.person('people/c1')).toEqual(hostile);
    expect(emulator.admin.people()).toHaveLength(6);
  });

  it('keeps a copy: editing the object given or returned changes nothing served', async () => {
    const json = { resourceName: 'people/c5', names: [{ givenName: 'Before' }] };
    const added = emulator.admin.addRawPerson(json);
    json.names[0]!.givenName = 'Mutated';
    (added.person as typeof json).names[0]!.givenName = 'Mutated too';
    expect((await listing()).items.at(-1)).toEqual({
      resourceName: 'people/c5',
      names: [{ givenName: 'Before' }],
    });
  });

  it('carries a replacement and a deletion in the next sync-token response, in change order', async () => {
    const bad = emulator.admin.addRawPerson({ resourceName: 'people/c77', etag: 'v1', names: 42 });
    const gone = emulator.admin.addRawPerson({ etag: 'no-id' });
    const { nextSyncToken } = await listing();

    const fixed = { resourceName: 'people/c77', etag: 'v2', names: [{ givenName: 'Fixed' }] };
    expect(emulator.admin.replaceRawPerson('people/c77', fixed).person).toEqual(fixed);
    emulator.admin.deletePerson(gone.resourceName);

    const changes = await listing({ syncToken: nextSyncToken! });
    expect(changes.items).toHaveLength(2);
    expect(changes.items[0]).toEqual(fixed);
    // A tombstone of a raw person without a resourceName of its own goes under its handle.
    expect(changes.items[1]).toMatchObject({ resourceName: gone.resourceName, metadata: { deleted: true } });
    expect(emulator.admin.person(bad.resourceName)).toEqual(fixed);

    // Nothing changed since: an empty change set.
    const quiet = await listing({ syncToken: changes.nextSyncToken! });
    expect(quiet.items).toEqual([]);
    // A full listing shows the replacement once, and no longer the deleted one.
    expect((await listing()).items.filter((p) => JSON.stringify(p).includes('people/c77'))).toEqual([fixed]);
  });

  it('a deleted raw person that claimed an id becomes a tombstone under that id', async () => {
    const raw = emulator.admin.addRawPerson({ resourceName: 'people/c9', etag: 'e1', names: [] });
    const { nextSyncToken } = await listing();
    const tombstone = emulator.admin.deletePerson(raw.resourceName);
    const [served] = (await listing({ syncToken: nextSyncToken! })).items;
    expect(served).toEqual({ resourceName: 'people/c9', etag: tombstone.etag, metadata: { deleted: true } });
  });

  it('turns a normal person raw, and refuses to patch or rename a raw one', () => {
    const [normal] = emulator.admin.people();
    const replaced = emulator.admin.replaceRawPerson(normal!.resourceName, { resourceName: 'x' });
    expect(replaced.resourceName).toBe(normal!.resourceName);
    expect(() => emulator.admin.updatePerson(normal!.resourceName, { nicknames: [{ value: 'n' }] })).toThrow(
      /raw person/,
    );
    expect(() => emulator.admin.renamePerson(normal!.resourceName)).toThrow(/raw person/);
    expect(() => emulator.admin.addRawPerson(undefined)).toThrow(EmulatorError);
    expect(() => emulator.admin.addRawPerson({ n: 1n })).toThrow(/JSON value/);
  });

  it('is reachable over HTTP: POST adds, PUT replaces, bodies taken as given', async () => {
    const body = '{"resourceName":"people/c3","names":{"givenName":"not a list"},"x":"\\u0000"}';
    const created = await admin('POST', '/__admin/people/raw', body);
    expect(created.status).toBe(201);
    const handle = created.body.resourceName as string;
    expect(created.body.person).toEqual(JSON.parse(body));
    expect((await admin('GET', '/__admin')).body.routes).toContain(
      'POST /__admin/people/raw {any JSON, served as given}',
    );

    const replaced = await admin('PUT', `/__admin/${handle}/raw`, '[1,2]');
    expect(replaced.status).toBe(200);
    expect(replaced.body.person).toEqual([1, 2]);
    expect((await listing()).items.at(-1)).toEqual([1, 2]);

    expect((await admin('POST', '/__admin/people/raw', '')).status).toBe(400);
    expect((await admin('POST', '/__admin/people/raw', '{oops')).status).toBe(400);
    expect((await admin('PUT', '/__admin/people/c0/raw', '{}')).status).toBe(404);
    expect((await admin('GET', '/__admin/people/raw')).status).toBe(404);
  });

  it('serves a person given as JSON text byte for byte, even one nested too deep to serialise', async () => {
    // Issue 11, defect 5: 10,000 levels, on which JSON.stringify and structuredClone overflow.
    const deep = `${'['.repeat(10_000)}{"value":"deep@example.org"}${']'.repeat(10_000)}`;
    const text = `{"resourceName":"people/deep","etag":"d1","emailAddresses":${deep}}`;
    const added = emulator.admin.addRawPersonText(text);
    expect((added.person as { resourceName: string }).resourceName).toBe('people/deep');
    const page = await api.get('v1/people/me/connections', { personFields: FIELDS, pageSize: 10 });
    expect(page.status).toBe(200);
    expect(page.text).toContain(text);
    expect(emulator.admin.person('people/deep')).toMatchObject({ etag: 'd1' });

    // Corrected as text too, then as a value: a change each, served as given.
    emulator.admin.replaceRawPersonText(added.resourceName, '{"resourceName":"people/deep","etag":"d2"}');
    emulator.admin.replaceRawPerson(added.resourceName, { resourceName: 'people/deep', etag: 'd3' });
    const { items } = await listing();
    expect(items.at(-1)).toEqual({ resourceName: 'people/deep', etag: 'd3' });
    expect(() => emulator.admin.addRawPersonText('{not json')).toThrow(EmulatorError);
  });
});
