import { describe, expect, it } from 'vitest';
import { cloneProvenance, decodeProvenance, encodeProvenance, sourceKey } from './provenance-codec.js';

/** What an earlier release stored: one record per entry, child keys of every butler at once. */
const v1 = {
  sources: {
    'google:default': {
      'people/c1': {
        fields: { name: 'Ada Lovelace', job_title: 'Engineer', company: null },
        info: ['email|ada@example.org'],
        addresses: ['1 main st||springfield|||us'],
        dates: ['birthday|12|10'],
        labels: ['Friends'],
      },
    },
  },
  note: { kept: true },
};

describe('provenance as stored in shared.contacts.metadata', () => {
  it('pins the stored form: shared records under sources, each butler under butler_sources', () => {
    const p = decodeProvenance({}, 'relationship');
    p.shared.set(
      'google:default',
      new Map([
        [
          'people/c1',
          { fields: { name: 'Ada', job_title: null }, info: ['email|a@x.org'], deleted: false, legacy: null },
        ],
        ['people/c2', { fields: { name: 'Ada' }, info: [], deleted: true, legacy: null }],
      ]),
    );
    p.butler.set(
      'google:default',
      new Map([['people/c1', { addresses: ['a'], dates: ['birthday|1|2'], labels: ['Friends'] }]]),
    );
    expect(JSON.parse(JSON.stringify(encodeProvenance(p)))).toEqual({
      sources: {
        'google:default': {
          'people/c1': { fields: { name: 'Ada', job_title: null }, info: ['email|a@x.org'] },
          'people/c2': { fields: { name: 'Ada' }, info: [], deleted: true },
        },
      },
      butler_sources: {
        relationship: {
          'google:default': {
            'people/c1': { addresses: ['a'], dates: ['birthday|1|2'], labels: ['Friends'] },
          },
        },
      },
    });
  });

  it('reads the earlier form and writes it back unchanged until a butler writes its own record', () => {
    const p = decodeProvenance(v1, 'relationship', [
      { provider: 'google', accountId: 'default', externalId: 'people/c1', deleted: false },
    ]);
    const record = p.shared.get('google:default')?.get('people/c1');
    expect(record).toEqual({
      fields: { name: 'Ada Lovelace', job_title: 'Engineer', company: null },
      info: ['email|ada@example.org'],
      deleted: false,
      legacy: { addresses: ['1 main st||springfield|||us'], dates: ['birthday|12|10'], labels: ['Friends'] },
    });
    expect(p.butler.size).toBe(0);
    expect(JSON.parse(JSON.stringify(encodeProvenance(p)))).toEqual(v1);
  });

  it("keeps other butlers' records and every other key as stored", () => {
    const stored = {
      ...v1,
      butler_sources: {
        household: { 'google:default': { 'people/c1': { addresses: [], dates: [], labels: ['x'] } } },
      },
    };
    const p = decodeProvenance(stored, 'relationship');
    expect(p.otherButlers).toEqual([['household', stored.butler_sources.household]]);
    expect(JSON.parse(JSON.stringify(encodeProvenance(p)))).toEqual(stored);
  });

  it("marks a record deleted when this butler's link to the entry is tombstoned, and stores the mark", () => {
    const p = decodeProvenance(v1, 'relationship', [
      { provider: 'google', accountId: 'default', externalId: 'people/c1', deleted: true },
    ]);
    expect(p.shared.get('google:default')?.get('people/c1')?.deleted).toBe(true);
    const stored = encodeProvenance(p) as typeof v1;
    expect(stored.sources['google:default']['people/c1']).toMatchObject({ deleted: true });
  });

  it('reads malformed metadata as no provenance, and keeps what is not provenance', () => {
    for (const metadata of [null, 'text', [1, 2], { sources: 'x' }, { sources: { a: [1] } }]) {
      const p = decodeProvenance(metadata, 'relationship');
      expect(p.shared.get('a')?.size ?? 0).toBe(0);
    }
    const odd = decodeProvenance(
      { sources: { 'google:default': { 'people/c1': { fields: { name: 7, nickname: 'N' }, info: 'x' } } } },
      'relationship',
    );
    expect(odd.shared.get('google:default')?.get('people/c1')).toEqual({
      fields: { nickname: 'N' },
      info: [],
      deleted: false,
      legacy: null,
    });
  });

  it('keeps ids and source keys such as __proto__ and constructor as keys, through JSON and back', () => {
    const ids = ['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf'];
    const p = decodeProvenance({}, '__proto__');
    for (const id of ids) {
      p.shared.set(
        sourceKey('google', id),
        new Map([[id, { fields: { name: id }, info: [], deleted: false, legacy: null }]]),
      );
      p.butler.set(sourceKey('google', id), new Map([[id, { addresses: [id], dates: [], labels: [] }]]));
    }
    p.shared.set(
      '__proto__',
      new Map([['__proto__', { fields: {}, info: ['x'], deleted: false, legacy: null }]]),
    );
    const text = JSON.stringify(encodeProvenance(p));
    expect(text).toContain('"__proto__":{"__proto__":{"fields":{},"info":["x"]}}');
    const back = decodeProvenance(JSON.parse(text), '__proto__');
    for (const id of ids) {
      expect(back.shared.get(`google:${id}`)?.get(id)?.fields.name).toBe(id);
      expect(back.butler.get(`google:${id}`)?.get(id)?.addresses).toEqual([id]);
    }
    expect(back.shared.get('__proto__')?.get('__proto__')?.info).toEqual(['x']);
    expect(Object.getPrototypeOf(JSON.parse(text))).toBe(Object.prototype);
    // A plain object with no such key does not offer Object.prototype's members as records.
    expect(
      decodeProvenance({ sources: { 'google:default': {} } }, 'r')
        .shared.get('google:default')
        ?.get('constructor'),
    ).toBeUndefined();
  });

  it('copies deeply: editing the copy leaves the original as it was', () => {
    const p = decodeProvenance(v1, 'relationship', [
      { provider: 'google', accountId: 'default', externalId: 'people/c1', deleted: false },
    ]);
    const copy = cloneProvenance(p);
    const record = copy.shared.get('google:default')!.get('people/c1')!;
    record.fields.name = 'Changed';
    record.info.push('email|b@x.org');
    record.legacy!.labels.push('Other');
    copy.links.get('google:default')!.set('people/c1', true);
    expect(encodeProvenance(p)).toEqual(v1);
    expect(p.links.get('google:default')?.get('people/c1')).toBe(false);
  });
});
