import { join } from 'node:path';
import { expect } from 'chai';
import { checkGolden } from '@observes/testkit/golden-file';
import type { TestDatabase } from '@observes/testkit/postgres-harness';
import { databaseFor, type TestServer } from '../testing/test-support.js';
import type { Dialect } from './dialect.js';
import { SCRIPT_FIXTURES, script } from '../testing/dialect-script.js';
import { postgresDialect } from './postgres/sql.js';
import { redshiftDialect } from './redshift/sql.js';

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
      checkGolden(join(SCRIPT_FIXTURES, `${server}.sql`), text);
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
        const { rows } = await client.query(
          'SELECT id::text AS id, name, price::text AS price, ratio, ok, doc::text AS doc, extra FROM s.t ORDER BY id, name NULLS LAST',
        );
        expect(rows).to.deep.equal([
          { id: '1', name: "it's a \\ backslash", price: '123456789012345678901234567890.12', ratio: 0.5, ok: true, doc: '{"a": [1, "x"]}', extra: null },
          { id: '2', name: null, price: null, ratio: null, ok: null, doc: null, extra: null },
          { id: '2', name: null, price: null, ratio: null, ok: null, doc: null, extra: null },
        ]);
        expect((await client.query('SELECT id::int, name FROM s.t2 ORDER BY id')).rows).to.deep.equal([
          { id: 1, name: "it's a \\ backslash" },
          { id: 2, name: null },
          { id: 2, name: null },
        ]);
        expect((await client.query('SELECT value FROM s.t__c ORDER BY value')).rows).to.deep.equal([
          { value: 'child of a row not replaced' },
          { value: 'child under the new key' },
        ]);
        for (const sql of statements.slice(beforeRename)) await client.query(sql);
        const left = await client.query("SELECT count(*)::int AS n FROM information_schema.tables WHERE table_schema = 's'");
        expect(left.rows[0].n).to.equal(2);
      } finally {
        await client.end();
      }
    });
  });
}
