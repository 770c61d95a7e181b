import { appendFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import type { TargetConfig } from './config.js';

/** A connection to the warehouse: one session, so temp tables and transactions span calls. */
export interface Warehouse {
  /** Runs one statement; returns its rows. */
  query(sql: string, params?: unknown[]): Promise<Record<string, unknown>[]>;
  /** Runs a `COPY ... FROM STDIN` statement fed with `chunks` of text (streamed to a server). */
  copyFromStdin(sql: string, chunks: Iterable<string> | AsyncIterable<string | Buffer>): Promise<void>;
  close(): Promise<void>;
}

/**
 * Opens the warehouse named by the config: a `pg` client for `postgres://` (or host/port/...), in-process
 * PGlite for `pglite:<dir>`. Every session runs in UTC so naive timestamps are read as UTC.
 * With `OBSERVES_SQL_LOG=<file>` every statement is appended to that file (tests check the SQL sent).
 */
export async function openWarehouse(config: TargetConfig): Promise<Warehouse> {
  const log = process.env.OBSERVES_SQL_LOG;
  const trace = log ? (sql: string) => appendFileSync(log, sql.replace(/\n/g, ' ') + '\n') : undefined;
  const warehouse = config.url?.startsWith('pglite:') ? await openPglite(config.url.slice('pglite:'.length)) : await openPg(config);
  await warehouse.query("SET TIME ZONE 'UTC'");
  if (!trace) return warehouse;
  return {
    query: (sql, params) => {
      trace(sql);
      return warehouse.query(sql, params);
    },
    copyFromStdin: (sql, chunks) => {
      trace(sql);
      return warehouse.copyFromStdin(sql, chunks);
    },
    close: () => warehouse.close(),
  };
}

async function openPg(config: TargetConfig): Promise<Warehouse> {
  const client = new pg.Client(
    config.url
      ? { connectionString: config.url, ssl: config.ssl || undefined }
      : { host: config.host, port: config.port ?? 5439, user: config.user, password: config.password, database: config.database, ssl: config.ssl || undefined },
  );
  // An idle connection error (server restart) must fail the run, not crash silently later.
  let failure: Error | undefined;
  client.on('error', (error) => {
    failure = error;
  });
  await client.connect();
  return {
    async query(sql, params) {
      if (failure) throw failure;
      return (await client.query(sql, params as unknown[])).rows as Record<string, unknown>[];
    },
    async copyFromStdin(sql, chunks) {
      if (failure) throw failure;
      const stream = client.query(copyFrom(sql));
      await pipeline(Readable.from(chunks, { objectMode: false }), stream);
    },
    close: () => client.end(),
  };
}

async function openPglite(dir: string): Promise<Warehouse> {
  const { PGlite } = await import('@electric-sql/pglite');
  const db = await PGlite.create(dir);
  return {
    async query(sql, params) {
      return (await db.query<Record<string, unknown>>(sql, params)).rows;
    },
    async copyFromStdin(sql, chunks) {
      // PGlite has no COPY protocol from outside: it reads the data from a virtual /dev/blob file.
      const parts: Array<string | Buffer> = [];
      for await (const chunk of chunks) parts.push(chunk);
      await db.query(sql.replace(/FROM STDIN/, "FROM '/dev/blob'"), [], { blob: new Blob(parts) });
    },
    close: () => db.close(),
  };
}
