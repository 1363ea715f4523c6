import { describeDatabase } from '@contacts/schema/testing';
import { expect, it } from 'vitest';
import { bossDatabase } from './boss-database.js';

describeDatabase('bossDatabase', (t) => {
  it('binds pg-boss parameters as node-postgres does: a Date wherever a timestamp or text goes', async () => {
    const { db } = bossDatabase(t.db);
    const when = new Date('2026-05-01T12:00:00Z');
    const { rows } = await db.executeSql(
      `select $1::timestamptz = '2026-05-01T12:00:00Z'::timestamptz as cast_ok,
        ($2::text is null or true) as text_ok, $3::text[] as list, $4::json ->> 'a' as json`,
      [when, when, ['x', 'y'], JSON.stringify({ a: 'b' })],
    );
    expect(rows).toEqual([{ cast_ok: true, text_ok: true, list: ['x', 'y'], json: 'b' }]);
  });

  it('runs several statements without parameters, a failed block leaving no transaction open', async () => {
    const { db } = bossDatabase(t.db);
    const { rows } = await db.executeSql(
      'begin; create table fleet_probe (n int); insert into fleet_probe values (1); select n from fleet_probe; commit;',
    );
    expect(rows).toEqual([{ n: 1 }]);
    await expect(
      db.executeSql('begin; insert into fleet_probe values (2); select 1/0; commit;'),
    ).rejects.toThrow();
    const after = await db.executeSql('select count(*)::int as n from fleet_probe', []);
    expect(after.rows).toEqual([{ n: 1 }]);
    await db.executeSql('drop table fleet_probe');
  });
});
