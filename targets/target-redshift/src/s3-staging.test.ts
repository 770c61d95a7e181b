import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { gunzipSync } from 'node:zlib';
import { GetObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { expect } from 'chai';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import type { TestDatabase } from '@observes/testkit/postgres-harness';
import { startS3Server, S3RVER_ACCESS_KEY_ID, S3RVER_SECRET_ACCESS_KEY, type S3Server } from '@observes/testkit/s3-server';
import { databaseFor, lines, runCli } from './testing/test-support.js';

// PostgreSQL cannot run Redshift's COPY FROM 's3://...': the run stages its files, sends the COPY (which
// PostgreSQL rejects, so the batch fails without applying anything), and the test checks the COPY text, the
// staged files on the S3 server, and that loading those files with the same CSV options gives back the values.
describe('redshift dialect with S3 staging', function () {
  this.timeout(60_000);
  let s3: S3Server;
  let db: TestDatabase;
  before(async () => {
    s3 = await startS3Server({ buckets: ['staging'] });
    db = await databaseFor('redshift');
  });
  after(async () => {
    await s3?.stop();
    await db?.drop();
  });

  it('stages gzip CSV files (several per batch) and sends a COPY naming them', async () => {
    const sqlLog = join(mkdtempSync(join(tmpdir(), 'sql-log-')), 'statements.sql');
    const schema = {
      type: 'SCHEMA',
      stream: 'items',
      key_properties: ['id'],
      schema: { type: 'object', properties: { id: { type: 'integer' }, name: { type: ['string', 'null'] }, doc: { type: 'object' } } },
    };
    const names = (i: number) => (i % 3 === 0 ? null : i % 3 === 1 ? `a, "b"\n${i}` : '\\N');
    const records = Array.from({ length: 2500 }, (_, i) => ({ type: 'RECORD', stream: 'items', record: { id: i, name: names(i), doc: { i } } }));
    const config = {
      url: db.url,
      dialect: 'redshift',
      schema: 'staged',
      batch_size_rows: 5000,
      // One batch of all 2,500 records: with worker threads a new table's first batch is 1,000 records.
      workers: 0,
      s3: { bucket: 'staging', prefix: 'stage', region: 'us-east-1', endpoint: s3.endpoint, iam_role: 'arn:aws:iam::123:role/load' },
    };
    const result = await runCli(config, lines(schema, ...records, { type: 'STATE', value: 1 }), {
      OBSERVES_SQL_LOG: sqlLog,
      AWS_ACCESS_KEY_ID: S3RVER_ACCESS_KEY_ID,
      AWS_SECRET_ACCESS_KEY: S3RVER_SECRET_ACCESS_KEY,
    });
    expect(result.code).to.equal(1);
    expect(result.stdout).to.equal('');
    expect(result.stderr).to.include('stream \\"items\\": table \\"items\\": batch starting at line 2');

    const copy = readFileSync(sqlLog, 'utf8')
      .split('\n')
      .find((l) => l.startsWith('COPY'))!;
    const match =
      /^COPY "_sdc_stage_0" \("id", "name", "doc"\) FROM 's3:\/\/staging\/(stage\/items\/[0-9a-f-]+\/)' IAM_ROLE 'arn:aws:iam::123:role\/load' REGION 'us-east-1' FORMAT AS CSV GZIP NULL AS '\\\\N' TIMEFORMAT 'auto' DATEFORMAT 'auto'$/.exec(
        copy,
      );
    expect(match, copy).to.not.equal(null);
    const listed = await s3.client.send(new ListObjectsV2Command({ Bucket: 'staging', Prefix: match![1] }));
    const keys = (listed.Contents ?? []).map((o) => o.Key!).sort();
    expect(keys.map((k) => k.slice(match![1].length))).to.deep.equal(['part-0000.csv.gz', 'part-0001.csv.gz']);

    // Load the staged files into PostgreSQL with the same CSV options: every value comes back as sent.
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    try {
      await client.query('CREATE TEMP TABLE back (id bigint, name varchar(256), doc jsonb)');
      for (const key of keys) {
        const object = await s3.client.send(new GetObjectCommand({ Bucket: 'staging', Key: key }));
        const text = gunzipSync(Buffer.from(await object.Body!.transformToByteArray()));
        await pipeline(Readable.from([text]), client.query(copyFrom("COPY back FROM STDIN WITH (FORMAT csv, NULL E'\\\\N')")));
      }
      const { rows } = await client.query('SELECT id::int, name, doc FROM back ORDER BY id');
      expect(rows).to.deep.equal(records.map((r) => ({ id: r.record.id, name: r.record.name, doc: r.record.doc })));
    } finally {
      await client.end();
    }
    const tables = await db.query("SELECT table_name FROM information_schema.tables WHERE table_schema = 'staged' AND table_name <> '_sdc_state'");
    expect(tables, 'the failed batch created nothing').to.deep.equal([]);
  });

  it("stages the same files with worker threads as without: the CSV workers write is the main thread's", async () => {
    const schema = {
      type: 'SCHEMA',
      stream: 'items',
      key_properties: ['id'],
      schema: {
        type: 'object',
        properties: { id: { type: 'integer' }, name: { type: ['string', 'null'] }, tags: { type: 'array', items: { type: 'string' } } },
      },
    };
    const names = ['a, "b"\nc', '\\N', '', ' edge ', 'ügyfél 😀', null];
    const records = Array.from({ length: 3000 }, (_, i) => ({
      type: 'RECORD',
      stream: 'items',
      record: { id: i, name: names[i % names.length], tags: i % 4 === 0 ? [] : [names[(i + 1) % 5], String(i)] },
    }));
    const env = { AWS_ACCESS_KEY_ID: S3RVER_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY: S3RVER_SECRET_ACCESS_KEY };
    // The tables exist (created through INSERTs), so workers can encode against them; every COPY then fails on PostgreSQL.
    const base = { url: db.url, dialect: 'redshift', schema: 'staged_workers', batch_size_rows: 5000 };
    expect((await runCli(base, lines(schema, records[1], records[2], { type: 'STATE', value: 0 }))).code).to.equal(0);
    const staged: string[][] = [];
    for (const workers of [0, 2]) {
      const prefix = `workers-${workers}`;
      const result = await runCli(
        { ...base, workers, s3: { bucket: 'staging', prefix, region: 'us-east-1', endpoint: s3.endpoint, iam_role: 'arn:aws:iam::123:role/load' } },
        lines(schema, ...records, { type: 'STATE', value: 1 }),
        env,
      );
      expect(result.code, result.stderr).to.equal(1);
      expect(Number(/"encoded_by_workers":(\d+)/.exec(result.stderr)?.[1] ?? 0)).to.equal(workers === 0 ? 0 : records.length);
      const listed = await s3.client.send(new ListObjectsV2Command({ Bucket: 'staging', Prefix: `${prefix}/` }));
      const keys = (listed.Contents ?? []).map((o) => o.Key!).sort();
      const texts: string[] = [];
      for (const key of keys) {
        const object = await s3.client.send(new GetObjectCommand({ Bucket: 'staging', Key: key }));
        texts.push(gunzipSync(Buffer.from(await object.Body!.transformToByteArray())).toString('utf8'));
      }
      staged.push(texts);
    }
    // The root table's files (the first COPY, which fails): the same rows, split into the same files.
    expect(staged[1]).to.deep.equal(staged[0]);
    expect(staged[0].join('').split('\n').length).to.be.greaterThan(3000);
  });
});
