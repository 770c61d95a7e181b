import type { TableLayout } from '@observes/target-core';
import type { Dialect } from './dialects/dialect.js';
import type { Warehouse } from './warehouse.js';

/**
 * Makes room for a batch's layouts and opens its transaction: varchar widenings that Redshift only allows
 * outside a transaction block run first (they only make room), then `BEGIN`, then, inside the transaction,
 * new tables, added columns and the other widenings, so a failed batch rolls its DDL back with its rows.
 * @param onTable - told each table before its statements run, so an error can name it
 */
export async function applyLayouts(warehouse: Warehouse, dialect: Dialect, schema: string, layouts: TableLayout[], onTable: (table: string) => void): Promise<void> {
  for (const layout of layouts) {
    onTable(layout.table);
    for (const change of layout.widen) {
      const w = dialect.widenColumn(schema, layout.table, change);
      if (!w.inTransaction) for (const sql of w.statements) await warehouse.query(sql);
    }
  }
  await warehouse.query('BEGIN');
  for (const layout of layouts) {
    onTable(layout.table);
    if (layout.create) await warehouse.query(dialect.createTable(schema, layout.table, layout.columns));
    for (const column of layout.add) await warehouse.query(dialect.addColumn(schema, layout.table, { name: column.name, type: column.to }));
    for (const change of layout.widen) {
      const w = dialect.widenColumn(schema, layout.table, change);
      if (w.inTransaction) for (const sql of w.statements) await warehouse.query(sql);
    }
  }
}
