import * as common from './common.js';
import type { Dialect } from './dialect.js';
import { literal, quoteIdent, quoteLiteral } from './sql-text.js';

const shared = common.sharedDialect('super');

/**
 * Amazon Redshift: SUPER for json; a varchar grows with `ALTER COLUMN ... TYPE` outside any transaction
 * block (the only type change Redshift allows), other widenings copy into a new column inside the
 * transaction; loads are multi-row INSERTs (literals with backslash escapes) or `COPY ... FROM 's3://...'`.
 */
export const redshiftDialect: Dialect = {
  name: 'redshift',
  ...shared,
  widenColumn: (schema, table, change) =>
    change.from?.kind === 'string' && change.to.kind === 'string'
      ? { statements: [common.alterColumnType(shared.columnType, schema, table, change)], inTransaction: false }
      : { statements: common.widenByCopy(shared.columnType, schema, table, change), inTransaction: true },
  insertValues: (target, columns, rows, maxBytes) =>
    common.insertValues(target, columns, rows, maxBytes, (row) => `(${row.map((v, i) => literal(v, columns[i].type, true, 'JSON_PARSE')).join(', ')})`),
  copyFromS3: (target, columns, url, iamRole, region) =>
    `COPY ${target} (${columns.map(quoteIdent).join(', ')}) FROM ${quoteLiteral(url, true)} IAM_ROLE ${quoteLiteral(iamRole, true)} REGION ${quoteLiteral(region, true)} FORMAT AS CSV GZIP NULL AS '\\\\N' TIMEFORMAT 'auto' DATEFORMAT 'auto'`,
};
