import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { planStream } from '@observes/target-core';
import { checkGolden } from '@observes/testkit/golden-file';
import type { TestDatabase } from '@observes/testkit/postgres-harness';
import { databaseFor, lines, runCli } from '../testing/test-support.js';
import { tableKeysOf } from '../table-keys.js';
import type { TableKeys, TypedColumn } from './dialect.js';
import { postgresDialect } from './postgres/sql.js';
import { redshiftDialect } from './redshift/sql.js';

const fixture = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'test-fixtures', 'sql', 'table-keys.sql');

const plan = planStream(
  'jobs',
  { type: 'object', properties: { id: { type: 'integer' }, name: { type: 'string' }, tags: { type: 'array', items: { type: 'string' } } } },
  ['id'],
);
const root: TypedColumn[] = [
  { name: 'id', type: { kind: 'bigint' } },
  { name: 'name', type: { kind: 'string', bytes: 256 } },
];
const child: TypedColumn[] = [
  { name: '_sdc_source_key_id', type: { kind: 'bigint' } },
  { name: '_sdc_level_0_id', type: { kind: 'bigint' } },
  { name: 'value', type: { kind: 'string', bytes: 256 } },
];
const onRedshift = redshiftDialect.forServer({ standardConformingStrings: false, redshift: true });

describe('sort and distribution keys', () => {
  it('are the key columns of the root and the source-key columns of a child table, per the settings', () => {
    expect(tableKeysOf(plan, 0, { sort_key: 'key', dist_key: 'key' })).to.deep.equal({ sort: ['id'], dist: 'id' });
    expect(tableKeysOf(plan, 1, { sort_key: 'key', dist_key: 'key' })).to.deep.equal({ sort: ['_sdc_source_key_id'], dist: '_sdc_source_key_id' });
    expect(tableKeysOf(plan, 0, { sort_key: 'none', dist_key: 'key' })).to.deep.equal({ sort: [], dist: 'id' });
    expect(tableKeysOf(plan, 1, { sort_key: 'key', dist_key: 'auto' })).to.deep.equal({ sort: ['_sdc_source_key_id'] });
    expect(tableKeysOf(plan, 0, { sort_key: 'none', dist_key: 'auto' })).to.equal(undefined);
    // A key-less stream's tables are only appended to: no keys.
    const keyless = planStream('logs', { type: 'object', properties: { at: { type: 'string' }, tags: { type: 'array', items: { type: 'string' } } } }, []);
    expect(tableKeysOf(keyless, 0, { sort_key: 'key', dist_key: 'key' })).to.equal(undefined);
    expect(tableKeysOf(keyless, 1, { sort_key: 'key', dist_key: 'key' })).to.equal(undefined);
  });

  it('are spelled exactly as the golden SQL (Redshift: DISTKEY/SORTKEY only on Redshift itself; PostgreSQL: a BRIN index)', () => {
    const rootKeys: TableKeys = { sort: ['id'], dist: 'id' };
    const childKeys: TableKeys = { sort: ['_sdc_source_key_id'], dist: '_sdc_source_key_id' };
    const text =
      [
        onRedshift.createTable('s', 'jobs', root, rootKeys),
        onRedshift.createTable('s', 'jobs__tags', child, childKeys),
        onRedshift.createTable('s', 'jobs', root, { sort: ['id'] }),
        onRedshift.createTable('s', 'jobs', root, { sort: [], dist: 'id' }),
        // The redshift dialect on PostgreSQL (the test shim) leaves them out.
        redshiftDialect.createTable('s', 'jobs', root, rootKeys),
        postgresDialect.createTable('s', 'jobs', root, rootKeys),
        ...postgresDialect.afterCreate!('s', 'jobs', rootKeys),
        ...postgresDialect.afterCreate!('s', 'jobs', { sort: [], dist: 'id' }),
        onRedshift.deleteUsing('s', 'jobs', '_sdc_stage_0', [['id', 'id']], true),
        postgresDialect.deleteUsing('s', 'jobs__tags', '_sdc_stage_0', [['_sdc_source_key_id', 'id']], true),
        postgresDialect.analyze!(postgresDialect.quote('_sdc_stage_0')),
        postgresDialect.summarizeSortKey!,
      ].join(';\n') + ';\n';
    checkGolden(fixture, text);
  });

  for (const server of ['postgres', 'redshift'] as const) {
    describe(`on PostgreSQL (${server} dialect)`, () => {
      let db: TestDatabase;
      before(async () => {
        db = await databaseFor(server);
      });
      after(async () => {
        await db?.drop();
      });

      it('a range-bounded DELETE ... USING deletes exactly the rows the plain one does', async () => {
        const d = server === 'postgres' ? postgresDialect : redshiftDialect.forServer({ standardConformingStrings: false });
        await db.query(d.createSchema('s'));
        for (const name of ['plain', 'ranged']) {
          await db.query(d.createTable('s', name, root, { sort: ['id'], dist: 'id' }));
          for (const sql of d.afterCreate?.('s', name, { sort: ['id'], dist: 'id' }) ?? []) await db.query(sql);
          await db.query(`INSERT INTO s.${name} SELECT g, 'row ' || g FROM generate_series(1, 5000) g`);
          await db.query(`INSERT INTO s.${name} VALUES (NULL, 'no key')`);
        }
        const pg = (await import('pg')).default;
        const client = new pg.Client({ connectionString: db.url });
        await client.connect();
        try {
          await client.query(d.createTemp('_sdc_stage_0', 's', 'plain'));
          await client.query("INSERT INTO _sdc_stage_0 VALUES (3, 'x'), (4000, 'y'), (4001, 'z'), (9999, 'new'), (NULL, 'null key')");
          if (d.analyze) await client.query(d.analyze(d.quote('_sdc_stage_0')));
          const plain = await client.query(d.deleteUsing('s', 'plain', '_sdc_stage_0', [['id', 'id']]));
          const ranged = await client.query(d.deleteUsing('s', 'ranged', '_sdc_stage_0', [['id', 'id']], true));
          expect(ranged.rowCount).to.equal(3);
          expect(plain.rowCount).to.equal(3);
          const left = (name: string) => client.query(`SELECT id::int AS id, name FROM s.${name} ORDER BY id NULLS LAST`).then((r) => r.rows);
          expect(await left('ranged')).to.deep.equal(await left('plain'));
          expect((await left('ranged')).length).to.equal(4998);
        } finally {
          await client.end();
        }
      });

      if (server === 'postgres')
        it('leaves no BRIN block range unsummarized after its merges, whatever autovacuum does (an unsummarized range matches every key)', async () => {
          const schema = {
            type: 'SCHEMA',
            stream: 'wide',
            key_properties: ['id'],
            schema: { type: 'object', properties: { id: { type: 'integer' }, pad: { type: 'string' } } },
          };
          const records = Array.from({ length: 3000 }, (_, i) => ({ type: 'RECORD', stream: 'wide', record: { id: i, pad: 'x'.repeat(1000) } }));
          const run = await runCli({ url: db.url, schema: 'summarized', batch_size_rows: 1000 }, lines(schema, ...records, { type: 'STATE', value: 1 }));
          expect(run.code, run.stderr).to.equal(0);
          const pages = await db.query("SELECT relpages FROM pg_class WHERE oid = 'summarized.wide'::regclass");
          const left = await db.query(
            `SELECT brin_summarize_new_values(i.indexrelid) AS n FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_am a ON a.oid = c.relam
              WHERE i.indrelid = 'summarized.wide'::regclass AND a.amname = 'brin'`,
          );
          expect(left.length, 'the table has its BRIN index').to.equal(1);
          expect(Number(left[0].n), `ranges left unsummarized of ${pages[0]?.relpages} pages`).to.equal(0);
        });
    });
  }
});
