import type { DialectCapabilities, DialectDefinition } from '../dialect.js';
import { informationSchemaType, readPostgresSettings } from '../introspection.js';
import { redshiftDialect, redshiftDialectFor } from './sql.js';

/** Amazon Redshift's limits and abilities. */
export const REDSHIFT_CAPABILITIES: DialectCapabilities = {
  warehouse: 'Redshift',
  identifierBytes: 127,
  varcharBytes: 65535,
  columns: 1600,
  jsonType: 'super',
  varcharWideningInTransaction: false,
  loadMethods: ['copy-s3', 'insert'],
};

/** The redshift dialect: Amazon Redshift (and PostgreSQL with the SUPER shim of the tests). */
export const redshift: DialectDefinition = {
  name: 'redshift',
  server: 'Amazon Redshift',
  capabilities: REDSHIFT_CAPABILITIES,
  sql: redshiftDialectFor,
  defaultSql: redshiftDialect,
  columnTypeOf: (row) => informationSchemaType(row, ['super', 'jsonb']),
  // `PostgreSQL 8.0.2 on i686-pc-linux-gnu, ... Redshift 1.0.77467`
  identifies: (version) => /redshift/i.test(version),
  // A PostgreSQL server runs this dialect's SQL only if it has a `super` type (the test shim does).
  runsOn: async (query) => (await query("SELECT 1 AS found FROM pg_type WHERE typname = 'super'")).length > 0,
  readServer: (query) => readPostgresSettings(query, REDSHIFT_CAPABILITIES.identifierBytes),
};
