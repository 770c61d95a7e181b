import type { TableLayout } from '@observes/target-core';
import type { Dialect, TableKeys, TypedColumn } from './dialects/dialect.js';
import type { Warehouse } from './warehouse.js';

/**
 * A layout to apply; `createColumns`, when set, are the columns to create the table with (a superset of the loaded
 * `columns`); `keys`, the sort and distribution keys a new table is created with (see `tableKeysOf`).
 */
export type LayoutToApply = TableLayout & { createColumns?: TypedColumn[]; keys?: TableKeys };

/**
 * The part of a batch's DDL that must run outside a transaction block: Redshift's varchar widenings (they only
 * make room, so running them before the batch's transaction changes no data). Run before `BEGIN`.
 * @param onTable - told each table before its statements run, so an error can name it
 */
export async function prepareLayouts(
  warehouse: Warehouse,
  dialect: Dialect,
  schema: string,
  layouts: LayoutToApply[],
  onTable: (table: string) => void,
): Promise<void> {
  for (const layout of layouts) {
    onTable(layout.table);
    for (const change of layout.widen) {
      const w = dialect.widenColumn(schema, layout.table, change);
      if (!w.inTransaction) for (const sql of w.statements) await warehouse.query(sql);
    }
  }
}

/**
 * The rest of a batch's DDL, inside its transaction (a failed batch rolls it back with its rows): new tables,
 * added columns, the other widenings.
 */
export async function applyLayouts(
  warehouse: Warehouse,
  dialect: Dialect,
  schema: string,
  layouts: LayoutToApply[],
  onTable: (table: string) => void,
): Promise<void> {
  for (const layout of layouts) {
    onTable(layout.table);
    if (layout.create) {
      await warehouse.query(dialect.createTable(schema, layout.table, layout.createColumns ?? layout.columns, layout.keys));
      if (layout.keys && dialect.afterCreate) for (const sql of dialect.afterCreate(schema, layout.table, layout.keys)) await warehouse.query(sql);
    }
    for (const column of layout.add) await warehouse.query(dialect.addColumn(schema, layout.table, { name: column.name, type: column.to }));
    for (const change of layout.widen) {
      const w = dialect.widenColumn(schema, layout.table, change);
      if (w.inTransaction) for (const sql of w.statements) await warehouse.query(sql);
    }
  }
}
