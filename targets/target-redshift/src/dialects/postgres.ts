import type { ColumnType } from '@observes/target-core';
import * as common from './common.js';
import type { Dialect } from './dialect.js';
import { literal, quoteIdent } from './sql-text.js';

/** Column types: the shared spelling, with jsonb for json values. */
const columnType = (type: ColumnType): string => common.columnTypeSql(type, 'jsonb');

/** PostgreSQL: jsonb for json, every widening in place and transactional, COPY FROM STDIN. */
export const postgresDialect: Dialect = {
  name: 'postgres',
  columnType,
  quote: quoteIdent,
  table: common.table,
  createSchema: common.createSchema,
  createTable: (schema, table, columns) => common.createTable(columnType, schema, table, columns),
  addColumn: (schema, table, column) => common.addColumn(columnType, schema, table, column),
  widenColumn: (schema, table, change) => ({
    statements: [`ALTER TABLE ${common.table(schema, table)} ALTER COLUMN ${quoteIdent(change.name)} TYPE ${columnType(change.to)}`],
    inTransaction: true,
  }),
  createTemp: common.createTemp,
  dropTemp: common.dropTemp,
  dropTable: common.dropTable,
  renameTable: common.renameTable,
  deleteUsing: common.deleteUsing,
  deleteAll: common.deleteAll,
  insertFromTemp: common.insertFromTemp,
  insertValues: (target, columns, rows, maxBytes) =>
    common.insertValues(target, columns, rows, maxBytes, (row) => `(${row.map((v, i) => literal(v, columns[i].type, false, '') + (columns[i].type.kind === 'json' && v !== null ? '::jsonb' : '')).join(', ')})`),
  copyFromStdin: (target, columns) => `COPY ${target} (${columns.map(quoteIdent).join(', ')}) FROM STDIN WITH (FORMAT csv, NULL E'\\\\N')`,
  listColumns: common.listColumns,
};
