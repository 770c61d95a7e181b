import * as common from './common.js';
import type { Dialect } from './dialect.js';
import { literal, quoteIdent } from './sql-text.js';

const shared = common.sharedDialect('jsonb');

/** PostgreSQL: jsonb for json, every widening in place and transactional, COPY FROM STDIN. */
export const postgresDialect: Dialect = {
  name: 'postgres',
  ...shared,
  widenColumn: (schema, table, change) => ({ statements: [common.alterColumnType(shared.columnType, schema, table, change)], inTransaction: true }),
  insertValues: (target, columns, rows, maxBytes) =>
    common.insertValues(target, columns, rows, maxBytes, (row) => `(${row.map((v, i) => literal(v, columns[i].type, false, '') + (columns[i].type.kind === 'json' && v !== null ? '::jsonb' : '')).join(', ')})`),
  copyFromStdin: (target, columns) => `COPY ${target} (${columns.map(quoteIdent).join(', ')}) FROM STDIN WITH (FORMAT csv, NULL E'\\\\N')`,
};
