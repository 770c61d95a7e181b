import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, chmodSync, chownSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { createLogger } from '@observes/protocol';
import { freePort } from './free-port.js';

const log = createLogger({ name: 'testkit.postgres' });

/** Where the test PostgreSQL lives. */
export interface TestPostgres {
  /**
   * `postgres://…` URL of a server (its maintenance database), or `pglite:<dir>` when no server could be
   * found or started and tests fall back to embedded PGlite.
   */
  url: string;
  /** `server`: a real PostgreSQL server; `pglite`: in-process PGlite, one data directory per database. */
  kind: 'server' | 'pglite';
}

/** A fresh, uniquely named database for one test file. */
export interface TestDatabase {
  /** URL to hand to a target: `postgres://…/<name>` or `pglite:<dir>`. */
  url: string;
  kind: TestPostgres['kind'];
  /** Database name (server) or data directory (PGlite). */
  name: string;
  /** Runs one statement and returns its rows (values as `pg`/PGlite parse them: int8 and numeric as strings). */
  query<Row extends Record<string, unknown> = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<Row[]>;
  /** Drops the database (or deletes the PGlite directory) and closes connections. */
  drop(): Promise<void>;
}

/** The server the harness tries when `OBSERVES_TEST_PG_URL` is not set. */
export const LOCAL_PG_URL = 'postgres://postgres@127.0.0.1:5432/postgres';

let resolved: Promise<TestPostgres> | undefined;
let databaseCounter = 0;

/**
 * Resolves the PostgreSQL tests use, once per process: `OBSERVES_TEST_PG_URL` when set; else the server on
 * 127.0.0.1:5432 (user postgres, trust auth) when it answers; else a throwaway cluster made with
 * `initdb`/`pg_ctl` (stopped and deleted at process exit); else embedded PGlite.
 */
export function testPostgres(): Promise<TestPostgres> {
  resolved ??= resolveTestPostgres();
  return resolved;
}

async function resolveTestPostgres(): Promise<TestPostgres> {
  const fromEnv = process.env.OBSERVES_TEST_PG_URL;
  if (fromEnv) return { url: fromEnv, kind: 'server' };
  if (await answers(LOCAL_PG_URL)) return { url: LOCAL_PG_URL, kind: 'server' };
  const started = await startThrowawayCluster();
  if (started) return { url: started, kind: 'server' };
  log.info('no PostgreSQL server available: falling back to embedded PGlite');
  return { url: `pglite:${mkdtempSync(join(tmpdir(), 'observes-pglite-'))}`, kind: 'pglite' };
}

/** Runs `fn` with a connected `pg` client and always closes it. */
export async function withPgClient<T>(url: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000 });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

async function answers(url: string): Promise<boolean> {
  try {
    await withPgClient(url, (client) => client.query('SELECT 1'));
    return true;
  } catch {
    return false;
  }
}

/**
 * Creates a fresh database (`CREATE DATABASE … TEMPLATE template0`, fast) on the test server, or a fresh
 * PGlite directory. Call {@link TestDatabase.drop} when done (in mocha's `after`).
 */
export async function createTestDatabase(): Promise<TestDatabase> {
  const server = await testPostgres();
  const name = `observes_test_${process.pid}_${++databaseCounter}_${Math.random().toString(36).slice(2, 8)}`;
  return server.kind === 'pglite' ? createPgliteDatabase() : createServerDatabase(server.url, name);
}

async function createServerDatabase(serverUrl: string, name: string): Promise<TestDatabase> {
  await withPgClient(serverUrl, (admin) => admin.query(`CREATE DATABASE "${name}" TEMPLATE template0 ENCODING 'UTF8'`));
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  const pool = new pg.Pool({ connectionString: url.toString(), max: 2 });
  // `DROP DATABASE ... WITH (FORCE)` terminates any backend of the database still open, and an idle client that
  // learns of it (its socket not yet closed by `pool.end()` on a loaded machine) emits the error on the pool: with
  // no listener that is an uncaught error blamed on whatever test runs then. A query in flight still rejects.
  pool.on('error', () => undefined);
  return {
    url: url.toString(),
    kind: 'server',
    name,
    async query(sql, params) {
      return (await pool.query(sql, params)).rows;
    },
    async drop() {
      await pool.end();
      await withPgClient(serverUrl, (admin) => admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
    },
  };
}

async function createPgliteDatabase(): Promise<TestDatabase> {
  const dir = mkdtempSync(join(tmpdir(), 'observes-pglite-'));
  const { PGlite } = await import('@electric-sql/pglite');
  // A PGlite directory can be open in one process at a time, and the target under test is another
  // process: so every query opens and closes it.
  const run = async <Row>(sql: string, params?: unknown[]): Promise<Row[]> => {
    const db = await PGlite.create(dir);
    try {
      return (await db.query<Row>(sql, params)).rows;
    } finally {
      await db.close();
    }
  };
  await run('SELECT 1');
  return {
    url: `pglite:${dir}`,
    kind: 'pglite',
    name: dir,
    query: run,
    async drop() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Directory holding `initdb` and `pg_ctl`: the newest `/usr/lib/postgresql/<v>/bin`, else the PATH. */
function postgresBinDir(): string | undefined {
  const root = '/usr/lib/postgresql';
  if (existsSync(root)) {
    const versions = readdirSync(root)
      .filter((v) => existsSync(join(root, v, 'bin', 'initdb')))
      .sort((a, b) => Number(b) - Number(a));
    if (versions.length > 0) return join(root, versions[0], 'bin');
  }
  for (const dir of (process.env.PATH ?? '').split(':')) {
    if (dir && existsSync(join(dir, 'initdb')) && existsSync(join(dir, 'pg_ctl'))) return dir;
  }
  return undefined;
}

/**
 * Starts a throwaway cluster (`initdb` + `pg_ctl`, as the postgres user when root) in a temp dir on a free port,
 * stopped and deleted at process exit. Returns its URL, or undefined with a log saying why it could not.
 */
export async function startThrowawayCluster(): Promise<string | undefined> {
  const bin = postgresBinDir();
  if (!bin) {
    log.info('no initdb/pg_ctl found: cannot start a throwaway PostgreSQL');
    return undefined;
  }
  // initdb refuses to run as root: run the cluster as the postgres user when we are root.
  const asRoot = process.getuid?.() === 0;
  let runAs: { uid: number; gid: number } | undefined;
  if (asRoot) {
    const id = spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' });
    const gid = spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' });
    if (id.status !== 0 || gid.status !== 0 || !existsSync('/usr/sbin/runuser')) {
      log.info('running as root without a postgres user or runuser: cannot start a throwaway PostgreSQL');
      return undefined;
    }
    runAs = { uid: Number(id.stdout.trim()), gid: Number(gid.stdout.trim()) };
  }
  const dir = mkdtempSync(join(tmpdir(), 'observes-pg-'));
  if (runAs) {
    chownSync(dir, runAs.uid, runAs.gid);
    chmodSync(dir, 0o700);
  }
  const run = (tool: string, args: string[]) => {
    const command = runAs ? (['/usr/sbin/runuser', ['-u', 'postgres', '--', join(bin, tool), ...args]] as const) : ([join(bin, tool), args] as const);
    return spawnSync(command[0], command[1], { encoding: 'utf8' });
  };
  const data = join(dir, 'data');
  const init = run('initdb', ['-D', data, '-U', 'postgres', '--auth=trust', '--encoding=UTF8', '--no-sync']);
  if (init.status !== 0) {
    log.warn('initdb failed', { stderr: init.stderr });
    rmSync(dir, { recursive: true, force: true });
    return undefined;
  }
  const port = await freePort();
  const start = run('pg_ctl', ['-D', data, '-l', join(dir, 'log'), '-w', '-o', `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off`, 'start']);
  if (start.status !== 0) {
    log.warn('pg_ctl start failed', { stderr: start.stderr });
    rmSync(dir, { recursive: true, force: true });
    return undefined;
  }
  process.once('exit', () => {
    run('pg_ctl', ['-D', data, '-m', 'immediate', 'stop']);
    rmSync(dir, { recursive: true, force: true });
  });
  log.info('started a throwaway PostgreSQL', { port, dir });
  return `postgres://postgres@127.0.0.1:${port}/postgres`;
}
