import type { TestDatabase } from './postgres-harness.js';
import type { TargetFixture } from './target-suite-types.js';

/** Names of the base tables of a schema, sorted: what a PostgreSQL-backed {@link TargetFixture.tables} returns. */
export async function tableNames(db: TestDatabase, schema = 'public'): Promise<string[]> {
  const rows = await db.query<{ name: string }>(
    "SELECT table_name AS name FROM information_schema.tables WHERE table_schema = $1 AND table_type = 'BASE TABLE' ORDER BY 1",
    [schema],
  );
  return rows.map((row) => row.name);
}

/** Every row of a table, or `[]` when it does not exist: what a PostgreSQL-backed {@link TargetFixture.rows} returns. */
export async function tableRows(db: TestDatabase, table: string, schema = 'public'): Promise<Record<string, unknown>[]> {
  if (!(await tableNames(db, schema)).includes(table)) return [];
  const quote = (name: string) => `"${name.replaceAll('"', '""')}"`;
  return db.query(`SELECT * FROM ${quote(schema)}.${quote(table)}`);
}
