import { expect } from 'chai';
import type { TestDatabase } from '@observes/testkit/postgres-harness';
import { loadConfig, validateConfig } from './config.js';
import { runCli, databaseFor } from './testing/test-support.js';
import { startFakePgServer, type FakePgServer } from './testing/fake-pg-server.js';
import { openWarehouse } from './warehouse.js';

const REDSHIFT_VERSION = 'PostgreSQL 8.0.2 on i686-pc-linux-gnu, compiled by GCC gcc (GCC) 3.4.2 20041017 (Red Hat 3.4.2-6.fc3), Redshift 1.0.77467';
const schema = { type: 'SCHEMA', stream: 's', key_properties: ['id'], schema: { type: 'object', properties: { id: { type: 'integer' } } } };
const lastEntry = (stderr: string) => JSON.parse(stderr.trim().split('\n').at(-1)!) as { level: string; message: string };

describe('target-redshift: connecting (timeouts, dialect from the server)', () => {
  let fake: FakePgServer | undefined;
  afterEach(async () => {
    await fake?.close();
    fake = undefined;
  });

  it('gives up on a server that accepts the connection but never logs in, naming the host and the setting', async () => {
    fake = await startFakePgServer({ hangAtLogin: true });
    const started = Date.now();
    const result = await runCli(
      { url: `postgres://etl:pw-Zq81x@127.0.0.1:${fake.port}/db`, connect_timeout_seconds: 1, dialect: 'postgres' },
      `${JSON.stringify(schema)}\n`,
    );
    expect(result.code).to.equal(1);
    expect(Date.now() - started).to.be.lessThan(8000);
    expect(lastEntry(result.stderr)).to.include({ level: 'error' });
    expect(lastEntry(result.stderr).message).to.match(
      new RegExp(`the warehouse at 127\\.0\\.0\\.1:${fake.port} did not accept the connection and login within 1 s \\(connect_timeout_seconds\\)`),
    );
    expect(result.stderr).to.not.contain('pw-Zq81x');
  });

  it('gives up on a server that stops answering statements, naming the host, the setting and the statement, and exits', async () => {
    fake = await startFakePgServer({ answer: (sql) => (sql.startsWith('SET TIME ZONE') ? 'hang' : { tag: 'SET' }) });
    const result = await runCli({ url: `postgres://etl@127.0.0.1:${fake.port}/db`, statement_timeout_seconds: 1 }, `${JSON.stringify(schema)}\n`);
    expect(result.code).to.equal(1);
    expect(lastEntry(result.stderr).message).to.equal(
      `the warehouse at 127.0.0.1:${fake.port} did not answer within 1 s (statement_timeout_seconds) while running: SET TIME ZONE 'UTC'`,
    );
    expect(fake.queries).to.deep.equal(['SET statement_timeout TO 1000', "SET TIME ZONE 'UTC'"]);
  });

  it('speaks Redshift to a server whose version() says Redshift, and refuses "dialect": "postgres" there', async () => {
    fake = await startFakePgServer({ answer: (sql) => (sql.startsWith('SELECT version()') ? { rows: [{ version: REDSHIFT_VERSION }] } : { tag: 'SET' }) });
    const url = `postgres://etl@127.0.0.1:${fake.port}/db`;
    const warehouse = await openWarehouse(validateConfig({ url }));
    expect(warehouse.dialect).to.equal('redshift');
    await warehouse.close();
    const error = (await openWarehouse(validateConfig({ url, dialect: 'postgres' })).catch((e: unknown) => e)) as Error;
    expect(error.name).to.equal('ConfigError');
    expect(error.message).to.contain('"dialect" is "postgres" but the server is Amazon Redshift').and.contain('set "dialect": "redshift"');
  });

  describe('on PostgreSQL', () => {
    let db: TestDatabase;
    let shimmed: TestDatabase;
    before(async () => {
      db = await databaseFor('postgres');
      shimmed = await databaseFor('redshift');
    });
    after(async () => {
      await db?.drop();
      await shimmed?.drop();
    });

    it('picks the postgres dialect when none is set, and loads', async () => {
      const result = await runCli(
        { url: db.url, schema: 'auto' },
        `${JSON.stringify(schema)}\n${JSON.stringify({ type: 'RECORD', stream: 's', record: { id: 1 } })}\n`,
      );
      expect(result.code, result.stderr).to.equal(0);
      expect(await db.query('SELECT id::int FROM auto.s')).to.deep.equal([{ id: 1 }]);
      expect(loadConfig(undefined, { TARGET_REDSHIFT_URL: db.url }).dialect).to.equal(undefined);
    });

    it('refuses "dialect": "redshift" on a PostgreSQL without SUPER, naming the setting (exit 2, not retried); the shimmed test database passes', async () => {
      const result = await runCli({ url: db.url, dialect: 'redshift' }, `${JSON.stringify(schema)}\n`);
      expect(result.code).to.equal(2);
      expect(lastEntry(result.stderr).message).to.match(
        /^invalid configuration: "dialect" is "redshift" but the server is PostgreSQL, not Redshift \(PostgreSQL .*\): set "dialect": "postgres", or leave "dialect" out/,
      );
      const warehouse = await openWarehouse(validateConfig({ url: shimmed.url, dialect: 'redshift' }));
      expect(warehouse.dialect).to.equal('redshift');
      await warehouse.close();
    });

    it('lets the server cancel a statement that runs past statement_timeout_seconds, saying which setting', async () => {
      const warehouse = await openWarehouse(validateConfig({ url: db.url, statement_timeout_seconds: 1 }));
      try {
        const error = (await warehouse.query('SELECT pg_sleep(5)').catch((e: unknown) => e)) as Error;
        expect(error.message).to.match(/statement timeout: the statement ran longer than 1 s \(statement_timeout_seconds\): SELECT pg_sleep\(5\)/);
      } finally {
        await warehouse.close();
      }
    });

    it('warns on an empty input and reports what it loaded per stream', async () => {
      const empty = await runCli({ url: db.url, schema: 'empty' }, '');
      expect(empty.code).to.equal(0);
      const entries = empty.stderr
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as { level: string; message: string; records_loaded?: unknown });
      expect(entries.find((e) => e.level === 'warn')?.message).to.match(/^empty input: no Singer message was read/);
      expect(entries.at(-1)).to.deep.include({ message: 'done', records_loaded: {} });
    });

    it('points raw JSON piped in at tap-json', async () => {
      const result = await runCli({ url: db.url, schema: 'raw' }, '{"id": 1, "name": "x"}\n');
      expect(result.code).to.equal(1);
      expect(lastEntry(result.stderr).message).to.match(/line 1: .*missing "type".*tap-json/);
    });
  });
});
