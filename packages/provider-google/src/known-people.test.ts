import { describe, expect, it } from 'vitest';
import { splitKnownPeople } from './known-people.js';

const person = (id: string, etag: string, extra: Record<string, unknown> = {}) => ({
  resourceName: id,
  etag,
  ...extra,
});

describe('splitKnownPeople', () => {
  it('reports a person whose etag the engine holds as unchanged, and sends every other one as it came', async () => {
    const asked: string[][] = [];
    const held = new Map([
      ['people/c1', '%E1'],
      ['people/c2', '%OLD'],
    ]);
    const page = [
      person('people/c1', '%E1'),
      person('people/c2', '%E2'),
      person('people/c3', '%E3'),
      person('people/c4', '%E4', { metadata: { deleted: true } }),
      { etag: '%E5' },
      'not a person',
    ];
    const result = await splitKnownPeople(page, async (ids) => {
      asked.push([...ids]);
      return held;
    });
    expect(result.unchanged).toEqual(['people/c1']);
    expect(result.changed).toEqual(page.slice(1));
    // Tombstones and people without an id or etag are never asked about.
    expect(asked).toEqual([['people/c1', 'people/c2', 'people/c3']]);
  });

  it('sends a renamed person and an id the page gives twice, as the engine would read them in full', async () => {
    const held = new Map([
      ['people/c1', '%E1'],
      ['people/c2', '%E2'],
    ]);
    const page = [
      person('people/c1', '%E1', { metadata: { previousResourceNames: ['people/old1'] } }),
      person('people/c2', '%E2'),
      person('people/c2', '%E2b'),
    ];
    const result = await splitKnownPeople(page, async () => held);
    expect(result).toEqual({ unchanged: [], changed: page });
  });

  it('matches ids and etags as normalizePerson reads them (trimmed)', async () => {
    const result = await splitKnownPeople(
      [person(' people/c1 ', ' %E1 ')],
      async () => new Map([['people/c1', '%E1']]),
    );
    expect(result).toEqual({ unchanged: ['people/c1'], changed: [] });
  });

  it('asks nothing without knownEtags or without a live person', async () => {
    const page = [person('people/c1', '%E1')];
    expect(await splitKnownPeople(page, undefined)).toEqual({ unchanged: [], changed: page });
    let calls = 0;
    const lookup = async () => {
      calls += 1;
      return new Map<string, string>();
    };
    expect(await splitKnownPeople([], lookup)).toEqual({ unchanged: [], changed: [] });
    expect(
      await splitKnownPeople([person('people/c9', '%E9', { metadata: { deleted: true } })], lookup),
    ).toEqual({
      unchanged: [],
      changed: [person('people/c9', '%E9', { metadata: { deleted: true } })],
    });
    expect(calls).toBe(0);
  });
});
