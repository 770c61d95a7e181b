import type { ColumnType } from '@observes/target-core';
import type { CatalogType, Dialect } from './dialects/dialect.js';
import type { Warehouse } from './warehouse.js';

/** One row of the dialect's `listColumns` query. */
export interface ColumnRow extends CatalogType {
  table_name: string;
  column_name: string;
}

/** Columns of every table of the target schema, by table then column, kept in step with the DDL we run. */
export function catalogFromRows(rows: Record<string, unknown>[], columnTypeOf: (row: ColumnRow) => ColumnType): Map<string, Map<string, ColumnType>> {
  const out = new Map<string, Map<string, ColumnType>>();
  for (const r of rows as unknown as ColumnRow[]) {
    let table = out.get(r.table_name);
    if (!table) out.set(r.table_name, (table = new Map()));
    table.set(r.column_name, columnTypeOf(r));
  }
  return out;
}

/**
 * The warehouse's columns of the target schema as this session knows them: read from the server (the dialect's
 * `listColumns`), kept in step with the DDL the session runs, reread after a rollback or DDL run elsewhere.
 */
export class ColumnCatalog {
  private tables = new Map<string, Map<string, ColumnType>>();

  constructor(
    private readonly warehouse: Warehouse,
    private readonly dialect: () => Dialect,
    /** The dialect's introspection: a catalog type as a column type. */
    private readonly columnTypeOf: (row: ColumnRow) => ColumnType,
    private readonly schema: string,
  ) {}

  /** Rereads every table's columns from the server. */
  async refresh(): Promise<void> {
    this.tables = catalogFromRows(await this.warehouse.query(this.dialect().listColumns(), [this.schema]), this.columnTypeOf);
  }

  /** Columns of a table; undefined when the table does not exist. */
  get(table: string): ReadonlyMap<string, ColumnType> | undefined {
    return this.tables.get(table);
  }

  /** Records a table's columns after DDL this session runs. */
  set(table: string, columns: Map<string, ColumnType>): void {
    this.tables.set(table, columns);
  }

  /** Every table's name. */
  names(): string[] {
    return [...this.tables.keys()];
  }

  /** Child tables of a root table: named `<root>__…`, with `_sdc_level_0_id` (so not a version's staging table). */
  childTablesOf(root: string): string[] {
    return [...this.tables.entries()].filter(([name, columns]) => name.startsWith(`${root}__`) && columns.has('_sdc_level_0_id')).map(([name]) => name);
  }
}
