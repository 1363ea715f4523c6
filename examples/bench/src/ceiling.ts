import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { type ContactsDatabase, queryRows } from '@contacts/schema';
import { type SQL, sql } from 'drizzle-orm';
import type { BenchDatabase } from './bench-database.js';
import { addCpu, type CpuTimes, cpuMeter } from './cpu-meter.js';

/** Contacts per page, as the provider pages them and the lab measured. */
export const CEILING_PAGE_SIZE = 1000;

/**
 * The tables a first full sync writes, in foreign-key order, each with the column that ties a row
 * to its contact. `labels` has none: the few labels go with the first page.
 */
const TABLES: readonly { schema: 'shared' | 'butler'; name: string; key: string | null }[] = [
  { schema: 'shared', name: 'contacts', key: 'id' },
  { schema: 'shared', name: 'contact_info', key: 'contact_id' },
  { schema: 'butler', name: 'addresses', key: 'contact_id' },
  { schema: 'butler', name: 'important_dates', key: 'contact_id' },
  { schema: 'butler', name: 'labels', key: null },
  { schema: 'butler', name: 'contact_labels', key: 'contact_id' },
  { schema: 'butler', name: 'contacts_source_links', key: 'local_contact_id' },
  { schema: 'butler', name: 'activity_feed', key: 'contact_id' },
];

/** Rows written per table, by `schema.table` with `butler` for the butler schema. */
export type RowCounts = Record<string, number>;

/** What the ceiling wrote and how long its transactions took. */
export interface CeilingResult {
  contacts: number;
  rows: RowCounts;
  totalRows: number;
  pages: number;
  /** Sum of the page transactions' wall time (reading the snapshot file is not counted). */
  wallMs: number;
  statements: number;
  /** CPU of the same windows: the client (JSON text, driver, PGlite) and the database server. */
  cpu: CpuTimes;
}

const tableKey = (t: (typeof TABLES)[number]) => `${t.schema}.${t.name}`;
const tableSql = (t: (typeof TABLES)[number], butlerSchema: string): SQL =>
  sql`${sql.identifier(t.schema === 'shared' ? 'shared' : butlerSchema)}.${sql.identifier(t.name)}`;

/**
 * Writes every row of the tables a first full sync fills, one JSON line per page of contacts
 * (`{ "shared.contacts": [...], ... }`), to `file`: the snapshot the ceiling replays. Kept on disk
 * rather than in memory so the later scenarios' RSS is not inflated by it.
 */
export async function snapshotSyncedRows(
  db: ContactsDatabase,
  butlerSchema: string,
  file: string,
  pageSize = CEILING_PAGE_SIZE,
): Promise<{ contacts: number; rows: RowCounts }> {
  const ids = (
    await queryRows<{ id: string }>(
      db,
      sql`select id::text as id from shared.contacts order by created_at, id`,
    )
  ).map((r) => r.id);
  const rows: RowCounts = Object.fromEntries(TABLES.map((t) => [tableKey(t), 0]));
  const out = createWriteStream(file, { encoding: 'utf8' });
  try {
    for (let start = 0; start < Math.max(ids.length, 1); start += pageSize) {
      const page = JSON.stringify(ids.slice(start, start + pageSize));
      const parts: string[] = [];
      for (const t of TABLES) {
        if (t.key === null && start > 0) continue;
        const from = tableSql(t, butlerSchema);
        const where =
          t.key === null
            ? sql`${from} t`
            : sql`${from} t join jsonb_array_elements_text(${page}::text::jsonb) as x(id) on t.${sql.identifier(t.key)} = x.id::uuid`;
        const [result] = await queryRows<{ rows: string; n: number }>(
          db,
          sql`select coalesce(jsonb_agg(t), '[]')::text as rows, count(*)::int as n from ${where}`,
        );
        rows[tableKey(t)] = (rows[tableKey(t)] ?? 0) + Number(result?.n ?? 0);
        parts.push(`${JSON.stringify(tableKey(t))}:${result?.rows ?? '[]'}`);
      }
      if (!out.write(`{${parts.join(',')}}\n`)) await once(out, 'drain');
    }
  } finally {
    out.end();
    await once(out, 'finish');
  }
  return { contacts: ids.length, rows };
}

/** `name type` of every column of a table, for `jsonb_to_recordset(...) as r(...)`. */
async function columnsOf(
  db: ContactsDatabase,
  table: string,
): Promise<{ names: string[]; definition: string }> {
  const cols = await queryRows<{ name: string; type: string }>(
    db,
    sql`select a.attname as name, format_type(a.atttypid, a.atttypmod) as type from pg_attribute a
      where a.attrelid = ${table}::regclass and a.attnum > 0 and not a.attisdropped order by a.attnum`,
  );
  const quote = (name: string) => `"${name.replaceAll('"', '""')}"`;
  return {
    names: cols.map((c) => quote(c.name)),
    definition: cols.map((c) => `${quote(c.name)} ${c.type}`).join(', '),
  };
}

/**
 * The database ceiling: replays a snapshot into a fresh database with the plainest set-based
 * write there is, one `insert ... select from jsonb_to_recordset($1::text::jsonb)` per table per
 * page, one transaction a page. Rows are serialised inside the timed part (the engine pays that
 * too); reading and parsing the snapshot line is not.
 */
export async function writeCeiling(target: BenchDatabase, file: string): Promise<CeilingResult> {
  const { db, butlerSchema, statements } = target;
  const inserts: { key: string; query: (json: string) => SQL }[] = [];
  for (const t of TABLES) {
    const qualified = `${t.schema === 'shared' ? 'shared' : `"${butlerSchema}"`}.${t.name}`;
    const { names, definition } = await columnsOf(db, qualified);
    const list = sql.raw(names.join(', '));
    const into = tableSql(t, butlerSchema);
    inserts.push({
      key: tableKey(t),
      query: (json) =>
        sql`insert into ${into} (${list}) select ${list} from jsonb_to_recordset(${json}::text::jsonb) as r(${sql.raw(definition)})`,
    });
  }
  const rows: RowCounts = Object.fromEntries(TABLES.map((t) => [tableKey(t), 0]));
  let contacts = 0;
  let pages = 0;
  let wallMs = 0;
  let cpu: CpuTimes = { clientMs: 0, serverMs: target.serverCpu ? 0 : null, emulatorMs: null };
  statements.reset();
  const handle = await open(file);
  try {
    for await (const line of handle.readLines()) {
      if (line.trim() === '') continue;
      const page = JSON.parse(line) as Record<string, object[]>;
      const stopCpu = await cpuMeter({ serverCpu: target.serverCpu });
      const started = performance.now();
      await db.transaction(async (tx) => {
        for (const { key, query } of inserts) {
          const list = page[key] ?? [];
          if (list.length === 0) continue;
          await tx.execute(query(JSON.stringify(list)));
          rows[key] = (rows[key] ?? 0) + list.length;
        }
      });
      wallMs += performance.now() - started;
      cpu = addCpu(cpu, await stopCpu());
      contacts += page['shared.contacts']?.length ?? 0;
      pages += 1;
    }
  } finally {
    await handle.close();
  }
  const totalRows = Object.values(rows).reduce((a, b) => a + b, 0);
  return { contacts, rows, totalRows, pages, wallMs, statements: statements.count, cpu };
}
