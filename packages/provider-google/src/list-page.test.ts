import { describe, expect, it } from 'vitest';
import { MalformedResponseError } from './google-failure.js';
import { readListPage } from './list-page.js';

describe('readListPage', () => {
  it('reads a middle page and a last page', () => {
    expect(
      readListPage({ connections: [{ resourceName: 'people/c1' }], nextPageToken: 'p2' }, 'connections'),
    ).toEqual({
      people: [{ resourceName: 'people/c1' }],
      nextPageToken: 'p2',
      nextSyncToken: null,
    });
    expect(readListPage({ nextSyncToken: 's1', totalItems: 0 }, 'otherContacts')).toEqual({
      people: [],
      nextPageToken: null,
      nextSyncToken: 's1',
    });
  });

  it('reads the list size Google gives, and drops one that is no count', () => {
    expect(readListPage({ nextSyncToken: 's1', totalPeople: 7, totalItems: 8 }, 'connections').total).toBe(7);
    expect(readListPage({ nextSyncToken: 's1', totalItems: 8 }, 'connections').total).toBe(8);
    expect(readListPage({ nextSyncToken: 's1', totalSize: 3 }, 'otherContacts').total).toBe(3);
    for (const odd of [-1, 1.5, '9', null]) {
      expect(readListPage({ nextSyncToken: 's1', totalPeople: odd }, 'connections')).not.toHaveProperty(
        'total',
      );
    }
  });

  it('refuses what would otherwise look like an empty last page', () => {
    for (const body of [
      '{"connections": [',
      null,
      { connections: {} },
      { connections: [], nextPageToken: 5 },
      { connections: [] },
    ]) {
      expect(() => readListPage(body, 'connections')).toThrow(MalformedResponseError);
    }
  });
});
