import * as common from '../common.js';
import { TARGET_S3_CSV, type Dialect, type ServerSettings } from '../dialect.js';
import { literal, quoteIdent } from '../sql-text.js';

const shared = common.sharedDialect('jsonb');

/** PostgreSQL for a server with these settings: jsonb for json, every widening in place and transactional, COPY FROM STDIN. */
export function postgresDialectFor(settings: ServerSettings): Dialect {
  const escapes = !settings.standardConformingStrings;
  return {
    name: 'postgres',
    ...shared,
    settings,
    forServer: postgresDialectFor,
    // PostgreSQL's zone maps: a BRIN index keeps each block range's min and max of the key, costs little on COPY,
    // and lets the merge's range-bounded DELETE read only the blocks that can hold the batch's keys.
    afterCreate: (schema, table, keys) =>
      keys.sort.length > 0 ? [`CREATE INDEX ON ${common.table(schema, table)} USING brin (${quoteIdent(keys.sort[0])})`] : [],
    analyze: (qualified) => `ANALYZE ${qualified}`,
    summarizeSortKey:
      'SELECT brin_summarize_new_values(i.indexrelid) FROM pg_index i JOIN pg_class t ON t.oid = i.indrelid JOIN pg_namespace n ON n.oid = t.relnamespace ' +
      'JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_am a ON a.oid = c.relam ' +
      // Only an index's owner may summarize it: a table another role created keeps its index as VACUUM leaves it.
      "WHERE n.nspname = $1 AND t.relname = $2 AND a.amname = 'brin' AND pg_has_role(c.relowner, 'USAGE')",
    // EXCLUSIVE conflicts with every lock but the ACCESS SHARE of plain reads.
    lockWriters: (schema, table) => `LOCK TABLE ${common.table(schema, table)} IN EXCLUSIVE MODE`,
    widenColumn: (schema, table, change) => ({ statements: [common.alterColumnType(shared.columnType, schema, table, change)], inTransaction: true }),
    insertValues: (target, columns, rows, maxBytes) =>
      common.insertValues(
        target,
        columns,
        rows,
        maxBytes,
        (row) =>
          `(${row.map((v, i) => literal(v, columns[i].type, escapes, '') + (columns[i].type.kind === 'json' && v !== null ? '::jsonb' : '')).join(', ')})`,
      ),
    // E'' reads its backslashes as escapes whatever standard_conforming_strings says.
    copyFromStdin: (target, columns, format = TARGET_S3_CSV) =>
      `COPY ${target} (${columns.map(quoteIdent).join(', ')}) FROM STDIN WITH (FORMAT csv${format.header ? ', HEADER true' : ''}${format.nullMarker ? ", NULL E'\\\\N'" : ''})`,
  };
}

/** PostgreSQL as it is configured by default (`standard_conforming_strings` on). */
export const postgresDialect: Dialect = postgresDialectFor({ standardConformingStrings: true });
