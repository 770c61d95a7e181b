import { expect } from 'chai';
import { createTestDatabase, testPostgres, withPgClient } from './postgres-harness.js';
import { tableNames, tableRows } from './postgres-tables.js';

describe('postgres harness', () => {
  it('creates a fresh database, queries it and drops it', async function () {
    const server = await testPostgres();
    const db = await createTestDatabase();
    await db.query('CREATE TABLE t (id BIGINT, amount NUMERIC(38, 0))');
    await db.query('INSERT INTO t VALUES ($1, $2)', ['1', '99999999999999999999999999999999999999']);
    expect(await db.query('SELECT id, amount FROM t')).to.deep.equal([{ id: '1', amount: '99999999999999999999999999999999999999' }]);
    await db.drop();
    if (server.kind === 'server') {
      const left = await withPgClient(server.url, (client) => client.query('SELECT 1 FROM pg_database WHERE datname = $1', [db.name]));
      expect(left.rowCount).to.equal(0);
    }
  });

  it('gives each call its own database', async () => {
    const [a, b] = await Promise.all([createTestDatabase(), createTestDatabase()]);
    try {
      expect(a.url).to.not.equal(b.url);
      await a.query('CREATE TABLE only_in_a (x INT)');
      expect(await b.query("SELECT 1 FROM information_schema.tables WHERE table_name = 'only_in_a'")).to.have.length(0);
    } finally {
      await Promise.all([a.drop(), b.drop()]);
    }
  });
});

describe('postgres table helpers', () => {
  it('list tables and read rows, [] for a missing table', async () => {
    const db = await createTestDatabase();
    try {
      await db.query('CREATE TABLE "Odd ""name""" (x INT)');
      await db.query('CREATE TABLE plain (x INT)');
      await db.query('INSERT INTO plain VALUES (1), (2)');
      expect(await tableNames(db)).to.deep.equal(['Odd "name"', 'plain']);
      expect(await tableRows(db, 'plain')).to.deep.equal([{ x: 1 }, { x: 2 }]);
      expect(await tableRows(db, 'Odd "name"')).to.deep.equal([]);
      expect(await tableRows(db, 'missing')).to.deep.equal([]);
    } finally {
      await db.drop();
    }
  });
});
