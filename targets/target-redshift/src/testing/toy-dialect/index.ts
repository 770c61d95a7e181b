import type { ColumnChange } from '@observes/target-core';
import * as common from '../../dialects/common.js';
import type { DialectCapabilities, DialectDefinition, ServerSettings } from '../../dialects/dialect.js';
import { informationSchemaType, readPostgresSettings } from '../../dialects/introspection.js';
import { postgresDialectFor } from '../../dialects/postgres/sql.js';

/**
 * A toy warehouse for the test that adding a dialect takes one folder, one `DIALECTS` entry and one golden
 * file: PostgreSQL with narrower limits (40-byte identifiers, 4096-byte varchars) and json stored as `json`.
 */
export const TOY_CAPABILITIES: DialectCapabilities = {
  warehouse: 'Toy',
  identifierBytes: 40,
  varcharBytes: 4096,
  columns: 1600,
  jsonType: 'json',
  varcharWideningInTransaction: true,
  loadMethods: ['copy-stdin'],
};

/** The toy dialect's SQL: PostgreSQL's, with its own json type. */
function toySql(settings: ServerSettings) {
  const shared = common.sharedDialect(TOY_CAPABILITIES.jsonType);
  return {
    ...postgresDialectFor(settings),
    ...shared,
    name: 'toy',
    settings,
    forServer: toySql,
    widenColumn: (schema: string, table: string, change: ColumnChange) => ({
      statements: [common.alterColumnType(shared.columnType, schema, table, change)],
      inTransaction: TOY_CAPABILITIES.varcharWideningInTransaction,
    }),
  };
}

/** The toy dialect: runs on any PostgreSQL when configured, is never a server's own. */
export const toy: DialectDefinition = {
  name: 'toy',
  server: 'a toy warehouse',
  capabilities: TOY_CAPABILITIES,
  sql: toySql,
  defaultSql: toySql({ standardConformingStrings: true }),
  columnTypeOf: (row) => informationSchemaType(row, ['json']),
  identifies: () => false,
  runsOn: async () => true,
  readServer: (query) => readPostgresSettings(query, TOY_CAPABILITIES.identifierBytes),
};
