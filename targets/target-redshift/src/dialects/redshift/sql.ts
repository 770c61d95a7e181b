import * as common from '../common.js';
import { TARGET_S3_CSV, type Dialect, type ServerSettings } from '../dialect.js';
import { literal, quoteIdent, quoteLiteral } from '../sql-text.js';

const shared = common.sharedDialect('super');

/**
 * Amazon Redshift for a server with these settings: SUPER for json; a varchar grows with `ALTER COLUMN ... TYPE`
 * outside any transaction block (the only type change Redshift allows), other widenings copy into a new column
 * inside the transaction; loads are multi-row INSERTs of literals or `COPY ... FROM 's3://...'`.
 */
export function redshiftDialectFor(settings: ServerSettings): Dialect {
  const escapes = !settings.standardConformingStrings;
  const text = (value: string) => quoteLiteral(value, escapes);
  return {
    name: 'redshift',
    ...shared,
    settings,
    forServer: redshiftDialectFor,
    // Only a real Redshift parses DISTKEY/SORTKEY; the test shim's PostgreSQL gets the same table without them.
    createTable: (schema, table, columns, keys) =>
      common.createTable(shared.columnType, schema, table, columns, settings.redshift ? common.redshiftTableAttributes(keys) : ''),
    // Redshift's LOCK has no modes (it is exclusive); only the target's own _sdc_state table is locked, which dashboards do not read.
    lockWriters: (schema, table) => `LOCK ${common.table(schema, table)}`,
    widenColumn: (schema, table, change) =>
      change.from?.kind === 'string' && change.to.kind === 'string'
        ? { statements: [common.alterColumnType(shared.columnType, schema, table, change)], inTransaction: false }
        : { statements: common.widenByCopy(shared.columnType, schema, table, change), inTransaction: true },
    insertValues: (target, columns, rows, maxBytes) =>
      common.insertValues(target, columns, rows, maxBytes, (row) => `(${row.map((v, i) => literal(v, columns[i].type, escapes, 'JSON_PARSE')).join(', ')})`),
    copyFromS3: (target, columns, url, iamRole, region, format = TARGET_S3_CSV) =>
      `COPY ${target} (${columns.map(quoteIdent).join(', ')}) FROM ${text(url)} IAM_ROLE ${text(iamRole)} REGION ${text(region)} FORMAT AS CSV${format.gzip ? ' GZIP' : ''}${format.header ? ' IGNOREHEADER 1' : ''}${format.nullMarker ? ` NULL AS ${text('\\N')}` : ' EMPTYASNULL'} TIMEFORMAT 'auto' DATEFORMAT 'auto'`,
  };
}

/** Redshift, which reads backslashes in string literals as escapes (`standard_conforming_strings` off). */
export const redshiftDialect: Dialect = redshiftDialectFor({ standardConformingStrings: false });
