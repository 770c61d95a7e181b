import { ConfigError, type TargetConfig } from './config.js';

/** Runs one statement on the warehouse. */
type Query = (sql: string) => Promise<Record<string, unknown>[]>;

/**
 * The dialect to speak to the server: the configured one if the server can run it, else the server's own.
 * Redshift names itself in `version()` (`PostgreSQL 8.0.2 on i686-pc-linux-gnu, ... Redshift 1.0.77467`).
 * A PostgreSQL server runs the redshift dialect's SQL only if it has a `super` type (the test shim does).
 * @throws ConfigError naming the `dialect` setting when the configured dialect does not fit the server
 */
export async function serverDialect(query: Query, configured: TargetConfig['dialect']): Promise<'redshift' | 'postgres'> {
  const version = String((await query('SELECT version() AS version'))[0]?.version ?? '');
  const server = /redshift/i.test(version) ? 'redshift' : 'postgres';
  if (configured === undefined || configured === server) return server;
  const described = server === 'redshift' ? `Amazon Redshift (${version})` : `PostgreSQL, not Redshift (${version})`;
  if (configured === 'redshift' && (await query("SELECT 1 AS found FROM pg_type WHERE typname = 'super'")).length > 0) return 'redshift';
  throw new ConfigError([`"dialect" is "${configured}" but the server is ${described}: set "dialect": "${server}", or leave "dialect" out to use the server's`]);
}
