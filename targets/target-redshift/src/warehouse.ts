import { appendFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { ConfigError, TransientError } from '@observes/protocol';
import type { TargetConfig } from './config.js';
import { serverDialect } from './server-dialect.js';

/** A connection to the warehouse: one session, so temp tables and transactions span calls. */
export interface Warehouse {
  /** The dialect to speak: the configured one, checked against the server, or the server's own. */
  readonly dialect: string;
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
  const session = config.url?.startsWith('pglite:') ? await openPglite(config.url.slice('pglite:'.length)) : await openPg(config);
  let warehouse: Warehouse;
  try {
    await session.query("SET TIME ZONE 'UTC'");
    warehouse = { ...session, dialect: await serverDialect((sql) => session.query(sql), config.dialect) };
  } catch (error) {
    await session.close().catch(() => undefined);
    throw error;
  }
  if (!trace) return warehouse;
  return {
    dialect: warehouse.dialect,
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

/** A session before its dialect is known. */
type Session = Omit<Warehouse, 'dialect'>;

/** SQLSTATEs of a login the server refuses (class 28) and of a database that does not exist: a retry cannot help. */
const PERMANENT_SQLSTATE = /^(28...|3D000)$/;

/** A network error (`ECONNRESET`...), a connection the client or server ended, or SQLSTATE class 08 / 57P0x (server shutting down). */
function connectionLost(error: Error & { code?: string }): boolean {
  const code = String(error.code ?? '');
  return /^E[A-Z]+$/.test(code) || /^08/.test(code) || /^57P0/.test(code) || /Connection terminated/i.test(error.message);
}

/** How long the client waits past the server's own statement timeout before it gives up on a server that stopped answering. */
const UNANSWERED_GRACE_MS = 2000;

async function openPg(config: TargetConfig): Promise<Session> {
  const where = config.url ? hostOf(config.url) : `${config.host}:${config.port ?? 5439}`;
  const statementMs = config.statement_timeout_seconds * 1000;
  const timeouts = {
    connectionTimeoutMillis: config.connect_timeout_seconds * 1000,
    ...(statementMs > 0 ? { query_timeout: statementMs + UNANSWERED_GRACE_MS } : {}),
  };
  const client = new pg.Client(
    config.url
      ? { connectionString: config.url, ssl: config.ssl || undefined, ...timeouts }
      : {
          host: config.host,
          port: config.port ?? 5439,
          user: config.user,
          password: config.password,
          database: config.database,
          ssl: config.ssl || undefined,
          ...timeouts,
        },
  );
  // An idle connection error (server restart) must fail the run, not crash silently later.
  let failure: Error | undefined;
  client.on('error', (error) => {
    failure = new TransientError(`${error.message}: the connection to the warehouse at ${where} was lost`, { cause: error });
  });
  try {
    await client.connect();
  } catch (error) {
    const e = error as Error & { code?: unknown };
    if (/timeout/i.test(e.message)) {
      throw new TransientError(
        `the warehouse at ${where} did not accept the connection and login within ${config.connect_timeout_seconds} s (connect_timeout_seconds): ${e.message}`,
        { cause: e },
      );
    }
    const message = `cannot connect to the warehouse at ${where}: ${e.message}`;
    // A refused login or an unknown database cannot be helped by a retry; a network failure or a busy server can.
    throw PERMANENT_SQLSTATE.test(String(e.code)) ? new ConfigError(message, { cause: e }) : new TransientError(message, { cause: e });
  }
  const run = async (sql: string, params?: unknown[]) => {
    if (failure) throw failure;
    try {
      return (await client.query(sql, params as unknown[])).rows as Record<string, unknown>[];
    } catch (error) {
      const e = error as Error & { code?: string };
      const statement = sql.replace(/\s+/g, ' ').slice(0, 120);
      if (/Query read timeout/i.test(e.message)) {
        // The connection is unusable now: the run fails, and closing it must not wait on the server.
        failure = new TransientError(
          `the warehouse at ${where} did not answer within ${config.statement_timeout_seconds} s (statement_timeout_seconds) while running: ${statement}`,
          { cause: e },
        );
        throw failure;
      }
      if (e.code === '57014' && /statement timeout/i.test(e.message)) {
        throw new TransientError(
          `${e.message}: the statement ran longer than ${config.statement_timeout_seconds} s (statement_timeout_seconds): ${statement}`,
          { cause: e },
        );
      }
      if (connectionLost(e))
        throw new TransientError(`${e.message}: the connection to the warehouse at ${where} was lost while running: ${statement}`, { cause: e });
      throw e;
    }
  };
  const session: Session = {
    query: run,
    async copyFromStdin(sql, chunks) {
      if (failure) throw failure;
      const stream = client.query(copyFrom(sql));
      await pipeline(Readable.from(chunks, { objectMode: false }), stream);
    },
    async close() {
      // A server that stopped answering never closes its end: then the socket is dropped rather than waited on.
      const ended = client.end();
      const stream = (client as unknown as { connection?: { stream?: { destroy(): void } } }).connection?.stream;
      const timer = setTimeout(() => stream?.destroy(), failure ? 0 : 5000);
      try {
        await ended;
      } finally {
        clearTimeout(timer);
      }
    },
  };
  try {
    if (statementMs > 0) await run(`SET statement_timeout TO ${statementMs}`);
  } catch (error) {
    await session.close().catch(() => undefined);
    throw error;
  }
  return session;
}

/** `host:port` of a connection URL, for messages (never its credentials). */
function hostOf(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.hostname}:${parsed.port || 5432}`;
  } catch {
    return 'the configured url';
  }
}

async function openPglite(dir: string): Promise<Session> {
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
