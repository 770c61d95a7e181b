import type { ColumnType } from '@observes/target-core';
import * as common from './common.js';
import type { Dialect } from './dialect.js';
import { literal, quoteIdent, quoteLiteral } from './sql-text.js';

/** Column types: the shared spelling, with super for json values. */
const columnType = (type: ColumnType): string => common.columnTypeSql(type, 'super');

/**
 * Amazon Redshift: SUPER for json; a varchar grows with `ALTER COLUMN ... TYPE` outside any transaction
 * block (the only type change Redshift allows), other widenings copy into a new column inside the
 * transaction; loads are multi-row INSERTs (literals with backslash escapes) or `COPY ... FROM 's3://...'`.
 */
export const redshiftDialect: Dialect = {
  name: 'redshift',
  columnType,
  quote: quoteIdent,
  table: common.table,
  createSchema: common.createSchema,
  createTable: (schema, table, columns) => common.createTable(columnType, schema, table, columns),
  addColumn: (schema, table, column) => common.addColumn(columnType, schema, table, column),
  widenColumn: (schema, table, change) =>
    change.from?.kind === 'string' && change.to.kind === 'string'
      ? { statements: [`ALTER TABLE ${common.table(schema, table)} ALTER COLUMN ${quoteIdent(change.name)} TYPE ${columnType(change.to)}`], inTransaction: false }
      : { statements: common.widenByCopy(columnType, schema, table, change), inTransaction: true },
  createTemp: common.createTemp,
  dropTemp: common.dropTemp,
  dropTable: common.dropTable,
  renameTable: common.renameTable,
  deleteUsing: common.deleteUsing,
  deleteAll: common.deleteAll,
  insertFromTemp: common.insertFromTemp,
  insertValues: (target, columns, rows, maxBytes) =>
    common.insertValues(target, columns, rows, maxBytes, (row) => `(${row.map((v, i) => literal(v, columns[i].type, true, 'JSON_PARSE')).join(', ')})`),
  copyFromS3: (target, columns, url, iamRole, region) =>
    `COPY ${target} (${columns.map(quoteIdent).join(', ')}) FROM ${quoteLiteral(url, true)} IAM_ROLE ${quoteLiteral(iamRole, true)} REGION ${quoteLiteral(region, true)} FORMAT AS CSV GZIP NULL AS '\\\\N' TIMEFORMAT 'auto' DATEFORMAT 'auto'`,
  listColumns: common.listColumns,
};
