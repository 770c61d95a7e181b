import type { DialectCapabilities, DialectDefinition } from '../dialect.js';
import { informationSchemaType, readPostgresSettings } from '../introspection.js';
import { postgresDialect, postgresDialectFor } from './sql.js';

/** PostgreSQL's limits and abilities, as the target uses it (a stand-in for Redshift: varchar kept to Redshift's widest). */
export const POSTGRES_CAPABILITIES: DialectCapabilities = {
  warehouse: 'PostgreSQL',
  identifierBytes: 63,
  varcharBytes: 65535,
  columns: 1600,
  jsonType: 'jsonb',
  varcharWideningInTransaction: true,
  loadMethods: ['copy-stdin'],
};

/** The postgres dialect: PostgreSQL and embedded PGlite. */
export const postgres: DialectDefinition = {
  name: 'postgres',
  server: 'PostgreSQL, not Redshift',
  capabilities: POSTGRES_CAPABILITIES,
  sql: postgresDialectFor,
  defaultSql: postgresDialect,
  columnTypeOf: (row) => informationSchemaType(row, ['jsonb', 'super']),
  // The server every other dialect is not: what `version()` says is checked by the others first.
  identifies: () => true,
  readServer: (query) => readPostgresSettings(query, POSTGRES_CAPABILITIES.identifierBytes),
};
