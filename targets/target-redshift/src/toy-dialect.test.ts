import { join } from 'node:path';
import { expect } from 'chai';
import pg from 'pg';
import { checkGolden } from '@observes/testkit/golden-file';
import type { TestDatabase } from '@observes/testkit/postgres-harness';
import { validateConfig } from './config.js';
import { DIALECTS, dialectFor } from './dialects/registry.js';
import { SCRIPT_FIXTURES, script } from './testing/dialect-script.js';
import { databaseFor, lines, runInProcess } from './testing/test-support.js';
import { toy } from './testing/toy-dialect/index.js';

// Adding a dialect is one folder (here src/testing/toy-dialect/), one DIALECTS entry and one golden file.
describe('a dialect added as one folder, one DIALECTS entry and one golden file (the toy dialect)', () => {
  let db: TestDatabase;
  before(async () => {
    DIALECTS.toy = toy;
    db = await databaseFor('postgres');
  });
  after(async () => {
    delete DIALECTS.toy;
    await db?.drop();
  });

  it('is a name the dialect setting accepts, and selected by it', () => {
    expect(validateConfig({ url: 'postgres://x/y', schema: 's', dialect: 'toy' }).dialect).to.equal('toy');
    expect(() => validateConfig({ url: 'postgres://x/y', schema: 's', dialect: 'nope' })).to.throw(/"dialect" must be "redshift" or "postgres" or "toy"/);
    expect(dialectFor('toy')).to.equal(toy);
  });

  it('generates exactly its golden SQL, which runs against PostgreSQL', async () => {
    const statements = script(toy.defaultSql);
    const text = statements.join(';\n') + ';\n';
    checkGolden(join(SCRIPT_FIXTURES, 'toy.sql'), text);
    expect(text).to.include('"doc" json').and.not.include('jsonb,');
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    try {
      for (const sql of statements) await client.query(sql);
    } finally {
      await client.end();
    }
  });

  it('every registered dialect says in its capabilities what its SQL does', () => {
    for (const definition of Object.values(DIALECTS)) {
      const sql = definition.defaultSql;
      const widening = sql.widenColumn('s', 't', { name: 'c', from: { kind: 'string', bytes: 256 }, to: { kind: 'string', bytes: 1024 } });
      expect(widening.inTransaction, definition.name).to.equal(definition.capabilities.varcharWideningInTransaction);
      expect(sql.columnType({ kind: 'json' }), definition.name).to.equal(definition.capabilities.jsonType);
      expect(Boolean(sql.copyFromStdin), definition.name).to.equal(definition.capabilities.loadMethods.includes('copy-stdin'));
      expect(Boolean(sql.copyFromS3), definition.name).to.equal(definition.capabilities.loadMethods.includes('copy-s3'));
      expect(sql.name).to.equal(definition.name);
    }
  });

  it('loads through the target within its own limits: identifiers shortened to its bytes, strings refused over its widest varchar', async () => {
    const schema = 'toy_load';
    const long = 'a_field_name_that_is_much_longer_than_forty_bytes';
    const stream = (value: string) =>
      lines(
        {
          type: 'SCHEMA',
          stream: 'items',
          key_properties: ['id'],
          schema: { type: 'object', properties: { id: { type: 'integer' }, [long]: { type: 'string' }, doc: { type: 'object' } } },
        },
        { type: 'RECORD', stream: 'items', record: { id: 1, [long]: value, doc: { a: 1 } } },
        { type: 'STATE', value: { n: 1 } },
      );
    const ok = await runInProcess({ url: db.url, schema, dialect: 'toy' }, stream('short'));
    expect(ok.error).to.equal(undefined);
    expect(ok.stdout).to.include('"value":{"n":1}');
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    try {
      const { rows } = await client.query<{ column_name: string; data_type: string }>(
        'SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = $1 AND table_name = $2 ORDER BY ordinal_position',
        [schema, 'items'],
      );
      const names = rows.map((r) => r.column_name);
      expect(
        names.every((n) => Buffer.byteLength(n) <= 40),
        names.join(', '),
      ).to.equal(true);
      expect(names.some((n) => n.startsWith('a_field_name_that_is_much'))).to.equal(true);
      expect(rows.find((r) => r.column_name === 'doc')?.data_type).to.equal('json');
    } finally {
      await client.end();
    }
    const tooLong = await runInProcess({ url: db.url, schema, dialect: 'toy' }, stream('x'.repeat(5000)));
    expect(tooLong.error?.message).to.match(/value of 5000 bytes is longer than the 4096-byte maximum of a varchar/);
  });
});
