import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { ExactNumber } from '@observes/protocol';
import type { TestDatabase } from '@observes/testkit/postgres-harness';
import { databaseFor, type TestServer } from '../testing/test-support.js';
import type { Dialect, TypedColumn } from './dialect.js';
import { postgresDialect } from './postgres.js';
import { redshiftDialect } from './redshift.js';

const fixtures = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'test-fixtures', 'sql');

const columns: TypedColumn[] = [
  { name: 'id', type: { kind: 'bigint' } },
  { name: 'name', type: { kind: 'string', bytes: 256 } },
  { name: 'price', type: { kind: 'decimal', precision: 38, scale: 2 } },
  { name: 'ratio', type: { kind: 'double' } },
  { name: 'ok', type: { kind: 'boolean' } },
  { name: 'at', type: { kind: 'timestamp' } },
  { name: 'day', type: { kind: 'date' } },
  { name: 'clock', type: { kind: 'time' } },
  { name: 'doc', type: { kind: 'json' } },
];

const children: TypedColumn[] = [
  { name: '_sdc_source_key_id', type: { kind: 'bigint' } },
  { name: '_sdc_source_key_name', type: { kind: 'string', bytes: 256 } },
  { name: '_sdc_level_0_id', type: { kind: 'bigint' } },
  { name: 'value', type: { kind: 'string', bytes: 256 } },
];

/** Every statement kind, in an order that runs on an empty schema. */
function script(d: Dialect): string[] {
  const rows = [
    [1, "it's a \\ backslash", new ExactNumber('123456789012345678901234567890.12'), 0.5, true, '2026-01-02T03:04:05Z', '2026-01-02', '03:04:05', { a: [1, 'x'] }],
    [2, null, null, null, null, null, null, null, null],
  ];
  return [
    d.createSchema('s'),
    d.createTable('s', 't', columns),
    d.addColumn('s', 't', { name: 'extra', type: { kind: 'string', bytes: 256 } }),
    ...d.widenColumn('s', 't', { name: 'extra', from: { kind: 'string', bytes: 256 }, to: { kind: 'string', bytes: 1024 } }).statements,
    ...d.widenColumn('s', 't', { name: 'id', from: { kind: 'bigint' }, to: { kind: 'decimal', precision: 20, scale: 0 } }).statements,
    d.createTemp('_sdc_stage_0', 's', 't'),
    ...d.insertValues(d.quote('_sdc_stage_0'), columns, rows, 1 << 20),
    d.deleteUsing('s', 't', '_sdc_stage_0', [['id', 'id']]),
    d.insertFromTemp('s', 't', '_sdc_stage_0', columns.map((c) => c.name)),
    d.insertFromTemp('s', 't', '_sdc_stage_0', ['id'], 'name'),
    d.createTable('s', 't2', columns.slice(0, 2)),
    d.copyTable('s', 't', 't2', [['id', 'id'], ['name', 'name']]),
    d.createTable('s', 't__c', children),
    ...d.insertValues(d.table('s', 't__c'), children, [[1, null, 0, 'child of 1 under the old key'], [null, 'x', 0, 'child under the new key'], [7, null, 0, 'child of a row not replaced']], 1 << 20),
    d.deleteLegacyChildren('s', 't__c', 't', '_sdc_stage_0', [['id', 'id']], ['_sdc_source_key_name'], [['_sdc_source_key_id', 'id']]),
    d.dropTemp('_sdc_stage_0'),
    d.renameTable('s', 't', 't_old'),
    d.deleteAll('s', 't_old'),
    d.dropTable('s', 't_old'),
  ];
}

const cases: Array<{ server: TestServer; dialect: Dialect }> = [
  { server: 'postgres', dialect: postgresDialect },
  { server: 'redshift', dialect: redshiftDialect },
  // The dialect spelled for what the server says: backslashes are not doubled when they are literal.
  { server: 'redshift-scs-on', dialect: redshiftDialect.forServer({ standardConformingStrings: true }) },
];

for (const { server, dialect } of cases) {
  describe(`${dialect.name} dialect SQL (${server})`, () => {
    let db: TestDatabase;
    before(async () => {
      db = await databaseFor(server);
    });
    after(async () => {
      await db?.drop();
    });

    it('generates exactly the golden SQL', () => {
      const extra = dialect.copyFromStdin
        ? [dialect.copyFromStdin('"_sdc_stage_0"', ['id', 'name'])]
        : [dialect.copyFromS3!('"_sdc_stage_0"', ['id', 'name'], 's3://bucket/prefix/t/run/', "arn:aws:iam::1:role/o'k", 'eu-west-1')];
      const text = [...script(dialect), ...extra].join(';\n') + ';\n';
      const file = join(fixtures, `${server}.sql`);
      if (process.env.UPDATE_GOLDEN === '1') writeFileSync(file, text);
      expect(text).to.equal(readFileSync(file, 'utf8'));
    });

    it('runs against PostgreSQL and stores values exactly', async () => {
      // A fresh connection sees the database-level settings of the Redshift shim.
      const pg = (await import('pg')).default;
      const client = new pg.Client({ connectionString: db.url });
      await client.connect();
      try {
        const statements = script(dialect);
        const beforeRename = statements.indexOf(dialect.dropTemp('_sdc_stage_0'));
        for (const sql of statements.slice(0, beforeRename)) await client.query(sql);
        // Row 2 twice: once from the full copy, once from the copy of rows whose name is null.
        const { rows } = await client.query('SELECT id::text AS id, name, price::text AS price, ratio, ok, doc::text AS doc, extra FROM s.t ORDER BY id, name NULLS LAST');
        expect(rows).to.deep.equal([
          { id: '1', name: "it's a \\ backslash", price: '123456789012345678901234567890.12', ratio: 0.5, ok: true, doc: '{"a": [1, "x"]}', extra: null },
          { id: '2', name: null, price: null, ratio: null, ok: null, doc: null, extra: null },
          { id: '2', name: null, price: null, ratio: null, ok: null, doc: null, extra: null },
        ]);
        expect((await client.query('SELECT id::int, name FROM s.t2 ORDER BY id')).rows).to.deep.equal([{ id: 1, name: "it's a \\ backslash" }, { id: 2, name: null }, { id: 2, name: null }]);
        expect((await client.query('SELECT value FROM s.t__c ORDER BY value')).rows).to.deep.equal([{ value: 'child of a row not replaced' }, { value: 'child under the new key' }]);
        for (const sql of statements.slice(beforeRename)) await client.query(sql);
        const left = await client.query("SELECT count(*)::int AS n FROM information_schema.tables WHERE table_schema = 's'");
        expect(left.rows[0].n).to.equal(2);
      } finally {
        await client.end();
      }
    });
  });
}
