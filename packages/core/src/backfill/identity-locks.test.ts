import { contactInfo, contacts, queryRows } from '@contacts/schema';
import { describeDatabase } from '@contacts/schema/testing';
import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import type { CanonicalContactInput } from '../model/canonical-contact.js';
import { parseCanonicalContact } from '../model/parse-contact.js';
import { toDesiredContact } from './desired-contact.js';
import { testEngine } from './engine.test-support.js';
import {
  distinctPageKeys,
  IDENTITY_GLOBAL_LOCK_KEY,
  identityLockPlan,
  identityLockStatement,
  lockIdentities,
} from './identity-locks.js';

interface PlanNode {
  'Node Type': string;
  'Parent Relationship'?: string;
  Output: string[];
  Plans?: PlanNode[];
}

const desired = (input: CanonicalContactInput) => toDesiredContact(parseCanonicalContact(input), new Map());
const ada: CanonicalContactInput = {
  external_id: 'people/ada',
  display_name: 'Ada Lovelace',
  first_name: 'Ada',
  last_name: 'King',
  nickname: 'Countess',
  emails: [{ value: 'Ada@Example.org' }],
  phones: [{ value: '+1 303 555 0100' }, { value: '+44' }],
};

describe('identityLockPlan', () => {
  it('locks what the contact is looked up by and what it becomes findable by', () => {
    const { keys } = identityLockPlan([desired(ada)], []);
    expect(keys.map((k) => `${k.kind}|${k.value}${k.fold ? ' (folded)' : ''}`)).toEqual([
      'email|ada@example.org',
      'phone|+13035550100', // not `+44`: junk is never looked up
      'name|ada lovelace',
      'name|Ada Lovelace (folded)',
      'name|Ada King (folded)',
      'nick|Countess (folded)',
    ]);
  });

  it('looks a nickname up only without a real name, and no name shorter than three characters', () => {
    const keys = (input: CanonicalContactInput) =>
      identityLockPlan([desired(input)], [])
        .keys.filter((k) => !k.fold)
        .map((k) => `${k.kind}|${k.value}`);
    expect(keys({ external_id: 'a', nickname: 'Nan' })).toEqual(['nick|nan']);
    expect(keys({ external_id: 'b', display_name: 'Al', nickname: 'Nan' })).toEqual([]);
  });

  it('lists each key and linked contact once', () => {
    const plan = identityLockPlan(
      [desired(ada), desired({ ...ada, external_id: 'people/ada2' })],
      ['c1', 'c1'],
    );
    expect(plan.keys).toHaveLength(6);
    expect(plan.linkedContactIds).toEqual(['c1']);
  });

  it('counts the distinct keys of the page as the database folds them', () => {
    // `name|ada lovelace` looked up and `name|Ada Lovelace` folded are one key: 5 of the 6.
    expect(distinctPageKeys(identityLockPlan([desired(ada)], []))).toBe(5);
    expect(distinctPageKeys(identityLockPlan([], ['c1']))).toBe(0);
  });
});

describeDatabase('lockIdentities', (t) => {
  /** The advisory locks this session holds: `global shared`, `global exclusive` or `key`. */
  const held = async (tx: typeof t.db) =>
    (
      await queryRows<{ k: string; mode: string }>(
        tx,
        sql`select ((classid::bigint << 32) | objid::bigint)::text as k, mode from pg_locks
          where locktype = 'advisory' and objsubid = 1 and pid = pg_backend_pid() and granted`,
      )
    )
      .map((l) =>
        l.k === IDENTITY_GLOBAL_LOCK_KEY
          ? `global ${l.mode === 'ShareLock' ? 'shared' : 'exclusive'}`
          : `key ${l.mode === 'ExclusiveLock' ? 'exclusive' : l.mode}`,
      )
      .sort();

  it('takes the global key shared and each distinct key exclusive', async () => {
    await t.db.transaction(async (tx) => {
      const taken = await lockIdentities(tx, identityLockPlan([desired(ada)], []), 512);
      // `name|ada lovelace` looked up and `name|Ada Lovelace` folded are one key.
      expect(taken).toEqual({ mode: 'keys', keys: 5 });
      expect(await held(tx)).toEqual(['global shared', ...Array(5).fill('key exclusive')]);
    });
    // Transaction-scoped: nothing outlives the page.
    expect(await held(t.db)).toEqual([]);
  });

  it('takes the global key alone, exclusive, above the cap', async () => {
    await t.db.transaction(async (tx) => {
      expect(await lockIdentities(tx, identityLockPlan([desired(ada)], []), 4)).toEqual({
        mode: 'exclusive',
        keys: 5,
      });
      expect(await held(tx)).toEqual(['global exclusive']);
    });
  });

  it('goes exclusive on its own keys alone, without reading the keys of the contacts its links reach', async () => {
    const [row] = await t.db
      .insert(contacts)
      .values({ name: 'Grace Hopper', firstName: 'Grace', lastName: 'Hopper', nickname: 'Amazing' })
      .returning({ id: contacts.id });
    await t.db.transaction(async (tx) => {
      // Ada's 5 keys pass the cap of 4: Grace's 2 (through the link) are never read, not counted.
      expect(await lockIdentities(tx, identityLockPlan([desired(ada)], [row!.id]), 4)).toEqual({
        mode: 'exclusive',
        keys: 5,
      });
      expect(await held(tx)).toEqual(['global exclusive']);
    });
    await t.db.transaction(async (tx) => {
      // Under the cap on its own (5 of 6), over it with the link's `grace hopper` and `amazing`:
      // the database counts them all.
      expect(await lockIdentities(tx, identityLockPlan([desired(ada)], [row!.id]), 6)).toEqual({
        mode: 'exclusive',
        keys: 7,
      });
    });
  });

  it('locks the current emails, phones and name forms of the contacts its links reach', async () => {
    const [row] = await t.db
      .insert(contacts)
      .values({ name: 'Grace Hopper', firstName: 'Grace', lastName: 'Hopper', nickname: 'Amazing' })
      .returning({ id: contacts.id });
    await t.db.insert(contactInfo).values([
      { contactId: row!.id, type: 'email', value: 'g@navy.mil', normalizedValue: 'g@navy.mil' },
      { contactId: row!.id, type: 'phone', value: '+13035550199', normalizedValue: '+13035550199' },
      { contactId: row!.id, type: 'website', value: 'navy.mil', normalizedValue: 'navy.mil' },
    ]);
    await t.db.transaction(async (tx) => {
      // email, phone, `grace hopper` (name and first + last), `amazing`; not the website.
      expect(await lockIdentities(tx, identityLockPlan([], [row!.id]), 512)).toEqual({
        mode: 'keys',
        keys: 4,
      });
      // The same keys, given by a page: nothing more to lock.
      const page = identityLockPlan(
        [desired({ external_id: 'x', display_name: 'GRACE HOPPER', emails: [{ value: 'g@navy.mil' }] })],
        [row!.id],
      );
      expect(await lockIdentities(tx, page, 512)).toEqual({ mode: 'keys', keys: 4 });
    });
  });

  it('takes its locks in the order of the sort: the select list is evaluated above it', async () => {
    const statement = identityLockStatement(identityLockPlan([desired(ada)], []), 512);
    const [row] = await queryRows<Record<string, unknown>>(
      t.db,
      sql`explain (verbose, format json) ${statement}`,
    );
    const value = Object.values(row!)[0];
    const plan = (typeof value === 'string' ? JSON.parse(value) : value) as { Plan: PlanNode }[];
    const top = plan[0]!.Plan;
    expect(top.Output.join(' ')).toContain('pg_advisory_xact_lock');
    // Its input (beside the CTEs it reads) is the sort, which takes no lock itself.
    const input = top.Plans?.find((p) => p['Parent Relationship'] === 'Outer');
    expect(input?.['Node Type']).toBe('Sort');
    expect(input?.Output.join(' ')).not.toContain('pg_advisory');
  });

  it('lets a page of 20 contacts above a cap of 4 write all the same', async () => {
    const page = Array.from({ length: 20 }, (_, i) => ({
      external_id: `people/c${i}`,
      display_name: `Person ${i}`,
      emails: [{ value: `p${i}@example.org` }],
    }));
    const summary = await testEngine(t, { identityLockCap: 4 }).applyBatch(page);
    expect(summary).toMatchObject({ created: 20, failed: 0 });
  });
});
