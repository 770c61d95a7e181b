import pg from 'pg';
import type { CommitRow } from './bill-builder.js';
import { commitsQuery, FETCH_ROWS, type MonthColumn } from './commits-query.js';

/** How to reach the warehouse as its read user. */
export interface WarehouseConnection {
  /** `postgres://user:password@host:port/database`; or the parts below. */
  url?: string;
  host?: string;
  port?: number;
  user?: string;
  password?: string;
  database?: string;
  ssl?: boolean;
}

/** Where the commits are and which column is the billing clock. */
export interface CommitsSource {
  schema: string;
  table: string;
  column: MonthColumn;
}

function clientConfig(c: WarehouseConnection): pg.ClientConfig {
  const ssl = c.ssl ? { ssl: { rejectUnauthorized: true } } : {};
  if (c.url) return { connectionString: c.url, ...ssl };
  return { host: c.host, port: c.port, user: c.user, password: c.password, database: c.database, ...ssl };
}

/**
 * Reads the commits of `[start, end)` through a cursor in a read-only transaction, batch by batch.
 * A null field (a commit loaded without an author) fails naming the commit: a bill must not guess.
 */
export async function* readMonthCommits(connection: WarehouseConnection, source: CommitsSource, start: Date, end: Date): AsyncGenerator<CommitRow> {
  const query = commitsQuery(source.schema, source.table, source.column, start, end);
  const client = new pg.Client(clientConfig(connection));
  await client.connect();
  try {
    await client.query(query.begin);
    await client.query(query.declare);
    for (;;) {
      const { rows } = await client.query<Record<string, unknown>>(query.fetch);
      for (const row of rows) {
        for (const field of ['namespace', 'repository', 'hash', 'author_name', 'author_email'] as const) {
          if (typeof row[field] !== 'string')
            throw new Error(
              `${source.schema}.${source.table}: commit ${String(row.hash)} of ${String(row.namespace)}/${String(row.repository)} has no ${field}`,
            );
        }
        if (!(row.billed_at instanceof Date)) throw new Error(`${source.schema}.${source.table}: ${source.column} is not a timestamp column`);
        yield row as unknown as CommitRow;
      }
      if (rows.length < FETCH_ROWS) break;
    }
    await client.query(query.close);
    await client.query('COMMIT');
  } finally {
    await client.end();
  }
}
