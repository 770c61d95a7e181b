import type { ColumnType } from '@observes/target-core';

/** One row of the dialect's `listColumns` query. */
interface ColumnRow {
  table_name: string;
  column_name: string;
  data_type: string;
  character_maximum_length: number | string | null;
  numeric_precision: number | string | null;
  numeric_scale: number | string | null;
}

/** The column type an existing warehouse column has, as target-core understands it. */
export function parseColumnType(row: ColumnRow): ColumnType {
  switch (row.data_type) {
    case 'boolean':
      return { kind: 'boolean' };
    case 'bigint':
      return { kind: 'bigint' };
    case 'double precision':
      return { kind: 'double' };
    case 'numeric':
      return { kind: 'decimal', precision: Number(row.numeric_precision ?? 38), scale: Number(row.numeric_scale ?? 0) };
    case 'character varying':
      return { kind: 'string', bytes: Number(row.character_maximum_length ?? 256) };
    case 'timestamp with time zone':
      return { kind: 'timestamp' };
    case 'date':
      return { kind: 'date' };
    case 'time without time zone':
      return { kind: 'time' };
    case 'jsonb':
    case 'super':
      return { kind: 'json' };
    default:
      return { kind: 'other', sql: row.data_type };
  }
}

/** Columns of every table of the target schema, by table then column, kept in step with the DDL we run. */
export function catalogFromRows(rows: Record<string, unknown>[]): Map<string, Map<string, ColumnType>> {
  const out = new Map<string, Map<string, ColumnType>>();
  for (const r of rows as unknown as ColumnRow[]) {
    let table = out.get(r.table_name);
    if (!table) out.set(r.table_name, (table = new Map()));
    // The PostgreSQL test shim declares SUPER as a domain over jsonb; information_schema reports the base type.
    table.set(r.column_name, parseColumnType(r));
  }
  return out;
}
