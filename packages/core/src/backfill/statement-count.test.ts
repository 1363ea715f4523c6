import { describeDatabase } from '@contacts/schema/testing';
import { expect, it } from 'vitest';
import type { CanonicalContactInput, CanonicalGroup } from '../model/canonical-contact.js';
import { testEngine } from './engine.test-support.js';

const groups: CanonicalGroup[] = [
  { external_id: 'g/friends', name: 'Friends', system: false, deleted: false },
  { external_id: 'g/work', name: 'Work', system: false, deleted: false },
];

/** A page of `n` people with every row kind: emails, phones, urls, usernames, addresses, dates, labels. */
function page(n: number, etag = 'e1'): CanonicalContactInput[] {
  return Array.from({ length: n }, (_, i) => ({
    external_id: `people/c${i}`,
    etag,
    display_name: `Person ${i}`,
    first_name: 'Person',
    last_name: String(i),
    emails: [{ value: `p${i}@example.org`, primary: true }, { value: `p${i}@work.example` }],
    phones: [{ value: `+1 303 555 ${String(i).padStart(4, '0')}` }],
    urls: [{ value: `https://example.org/${i}` }],
    usernames: [{ service: 'matrix', value: `@p${i}:example.org` }],
    addresses: [{ street: `${i} Main St`, city: 'Springfield', country_code: 'US' }],
    organizations: [{ name: 'Acme', title: 'Engineer' }],
    birthdays: [{ month: (i % 12) + 1, day: (i % 28) + 1 }],
    anniversaries: [{ month: 6, day: 1, type: 'wedding' }],
    group_memberships: i % 2 === 0 ? ['g/friends'] : ['g/friends', 'g/work'],
  }));
}

/**
 * Statements per page are bounded, whatever the page size (prior-art #1): counted, not timed.
 * Design target: a page of new contacts <= ~25 statements, a page of unchanged ones <= 3.
 * drizzle logs the savepoint a page is applied in (and its release) on PGlite but not on
 * postgres-js, where postgres.js issues them itself: 2 more counted on PGlite for pages that write.
 */
const expected = {
  pglite: { created: 15, unchanged: 1, updated: 13 },
  postgres: { created: 13, unchanged: 1, updated: 11 },
};

describeDatabase('statements per page', (t) => {
  const engine = () => testEngine(t, { groups });
  const count = async (contacts: CanonicalContactInput[]) => {
    t.statements.reset();
    const summary = await engine().applyBatch(contacts);
    return { summary, statements: t.statements.count };
  };

  it('applies 1,000 new, 1,000 unchanged and 1,000 changed contacts in a fixed number of statements each', async () => {
    const created = await count(page(1000));
    expect(created.summary).toMatchObject({ applied: 1000, created: 1000, failed: 0 });
    expect(created.statements).toBe(expected[t.driver].created);

    const unchanged = await count(page(1000));
    expect(unchanged.summary).toMatchObject({ skipped: 1000, applied: 0 });
    expect(unchanged.statements).toBe(expected[t.driver].unchanged);

    const updated = await count(page(1000, 'e2').map((c) => ({ ...c, nickname: 'changed' })));
    expect(updated.summary).toMatchObject({ applied: 1000, updated: 1000 });
    expect(updated.statements).toBe(expected[t.driver].updated);
  });

  it('costs the same for a page of 10 as for a page of 1,000', async () => {
    expect((await count(page(10))).statements).toBe(expected[t.driver].created);
    expect((await count(page(10))).statements).toBe(expected[t.driver].unchanged);
  });
});
