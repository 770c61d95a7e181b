import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { expect } from 'chai';
import type { TestDatabase } from '@observes/testkit/postgres-harness';
import { startS3Server, S3RVER_ACCESS_KEY_ID, S3RVER_SECRET_ACCESS_KEY, type S3Server } from '@observes/testkit/s3-server';
import { parseCsvLine } from './from-s3-prefix.js';
import { BIN, databaseFor } from './testing/test-support.js';

/**
 * Files a third party pushes (the LogRocket case) into the S3 stand-in, loaded by
 * `target-redshift --from-s3-prefix`: each file once, across runs, whatever the format.
 */
describe('target-redshift --from-s3-prefix (files pushed to S3 by a source)', function () {
  this.timeout(60_000);
  let s3: S3Server;
  let db: TestDatabase;
  let redshiftDb: TestDatabase;
  let cacheUrl: string;
  before(async () => {
    s3 = await startS3Server({ buckets: ['drops'] });
    db = await databaseFor('postgres');
    redshiftDb = await databaseFor('redshift');
    const cache = mkdtempSync(join(tmpdir(), 'prefix-cache-'));
    const sessions = {
      type: 'object',
      properties: {
        id: { type: 'integer' },
        user: { type: ['string', 'null'] },
        seconds: { type: ['number', 'null'] },
        started_at: { type: ['string', 'null'], format: 'date-time' },
      },
    };
    writeFileSync(join(cache, 'sessions.json'), JSON.stringify({ type: 'SCHEMA', stream: 'sessions', schema: sessions, key_properties: ['id'] }));
    const events = {
      type: 'object',
      properties: { event: { type: 'string' }, at: { type: 'string' }, page: { type: ['object', 'null'], properties: { url: { type: 'string' } } } },
    };
    writeFileSync(join(cache, 'events.json'), JSON.stringify({ type: 'SCHEMA', stream: 'events', schema: events, key_properties: [] }));
    cacheUrl = pathToFileURL(cache).href;
  });
  after(async () => {
    await s3?.stop();
    await db?.drop();
    await redshiftDb?.drop();
  });

  const push = (key: string, body: string | Buffer) => s3.client.send(new PutObjectCommand({ Bucket: 'drops', Key: key, Body: body }));
  const run = (config: Record<string, unknown>, prefix: string, stream: string, extra: string[] = [], env: Record<string, string> = {}) => {
    const file = join(mkdtempSync(join(tmpdir(), 'prefix-config-')), 'config.json');
    writeFileSync(file, JSON.stringify(config));
    const args = [BIN, '--config', file, '--from-s3-prefix', prefix, '--stream', stream, '--schema-cache', cacheUrl, ...extra];
    return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
      const child = spawn(process.execPath, args, {
        env: { ...process.env, AWS_ACCESS_KEY_ID: S3RVER_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY: S3RVER_SECRET_ACCESS_KEY, ...env },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      child.on('close', (code) => resolve({ code, stdout, stderr }));
    });
  };
  const configFor = (schema: string, extra: Record<string, unknown> = {}) => ({
    url: db.url,
    dialect: 'postgres',
    schema,
    s3: { bucket: 'drops', region: 'us-east-1', endpoint: s3.endpoint },
    ...extra,
  });
  const loadedKeys = (stdout: string) =>
    Object.keys((JSON.parse(stdout.trim().split('\n').at(-1)!) as { value: { loaded: Record<string, unknown> } }).value.loaded).sort();

  it('CSV files (gzip or not, with a header): each loads once across runs; a new file alone the next time (postgres: streamed COPY)', async () => {
    await push(
      'logrocket/csv/2026-12-01.csv.gz',
      gzipSync('id,user,seconds,started_at\n1,ana,12.5,2026-12-01T10:00:00Z\n2,"bo, the ""second""",,2026-12-01T11:00:00Z\n'),
    );
    await push('logrocket/csv/2026-12-02.csv', 'user,id,seconds,started_at\r\n,3,7,\r\n');
    await push('logrocket/csv/_SUCCESS', '');
    const config = configFor('pushed_csv');
    const first = await run(config, 's3://drops/logrocket/csv/', 'sessions');
    expect(first.code, first.stderr).to.equal(0);
    expect(loadedKeys(first.stdout)).to.deep.equal(['logrocket/csv/2026-12-01.csv.gz', 'logrocket/csv/2026-12-02.csv']);
    expect(await db.query('SELECT id::int, "user", seconds, started_at FROM pushed_csv.sessions ORDER BY id')).to.deep.equal([
      { id: 1, user: 'ana', seconds: 12.5, started_at: new Date('2026-12-01T10:00:00Z') },
      { id: 2, user: 'bo, the "second"', seconds: null, started_at: new Date('2026-12-01T11:00:00Z') },
      { id: 3, user: null, seconds: 7, started_at: null },
    ]);
    // A rerun loads nothing again: a row changed since stays changed.
    await db.query('UPDATE pushed_csv.sessions SET "user" = \'edited\' WHERE id = 1');
    const second = await run(config, 's3://drops/logrocket/csv/', 'sessions');
    expect(second.code, second.stderr).to.equal(0);
    expect(loadedKeys(second.stdout)).to.deep.equal(loadedKeys(first.stdout));
    await push('logrocket/csv/2026-12-03.csv', 'id,user\n4,dee\n');
    const third = await run(config, 's3://drops/logrocket/csv/', 'sessions');
    expect(third.code, third.stderr).to.equal(0);
    expect(await db.query('SELECT id::int, "user" FROM pushed_csv.sessions ORDER BY id')).to.deep.equal([
      { id: 1, user: 'edited' },
      { id: 2, user: 'bo, the "second"' },
      { id: 3, user: null },
      { id: 4, user: 'dee' },
    ]);
    const [state] = await db.query('SELECT state FROM pushed_csv._sdc_state');
    expect(Object.keys((JSON.parse(String(state.state)) as { loaded: object }).loaded)).to.have.length(3);
  });

  it('JSON lines into a key-less (append) stream: no duplicate across two runs, child columns flattened', async () => {
    await push('logrocket/events/a.jsonl.gz', gzipSync('{"event":"click","at":"1","page":{"url":"/a"}}\n{"event":"view","at":"2","page":null}\n'));
    await push('logrocket/events/b.ndjson', '{"event":"click","at":"3","page":{"url":"/b"}}\n');
    const config = configFor('pushed_events');
    for (let i = 0; i < 2; i++) {
      const result = await run(config, 's3://drops/logrocket/events/', 'events');
      expect(result.code, result.stderr).to.equal(0);
      expect(loadedKeys(result.stdout)).to.deep.equal(['logrocket/events/a.jsonl.gz', 'logrocket/events/b.ndjson']);
    }
    expect(await db.query('SELECT event, at, page__url FROM pushed_events.events ORDER BY at')).to.deep.equal([
      { event: 'click', at: '1', page__url: '/a' },
      { event: 'view', at: '2', page__url: null },
      { event: 'click', at: '3', page__url: '/b' },
    ]);
  });

  it('a JSON-lines file larger than a batch, its load SIGKILLed half-way: the rerun resumes after the last committed line, every record once', async () => {
    const LINES = 20_000;
    await push(
      'logrocket/big/one.jsonl',
      Array.from({ length: LINES }, (_, i) => JSON.stringify({ event: 'view', at: String(i + 1), page: { url: `/p${i % 7}` } })).join('\n') + '\n',
    );
    const config = configFor('pushed_big', { batch_size_rows: 200, batch_max_age_seconds: 0 });
    const file = join(mkdtempSync(join(tmpdir(), 'prefix-config-')), 'config.json');
    writeFileSync(file, JSON.stringify(config));
    const child = spawn(
      process.execPath,
      [BIN, '--config', file, '--from-s3-prefix', 's3://drops/logrocket/big/', '--stream', 'events', '--schema-cache', cacheUrl],
      {
        env: { ...process.env, AWS_ACCESS_KEY_ID: S3RVER_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY: S3RVER_SECRET_ACCESS_KEY },
        stdio: 'ignore',
      },
    );
    const closed = new Promise((resolve) => child.on('close', resolve));
    const partial = async () => {
      const rows = await db.query<{ state: string }>('SELECT state FROM pushed_big._sdc_state').catch(() => []);
      return rows.length === 0 ? undefined : (JSON.parse(rows[0].state) as { partial?: { lines: number } }).partial;
    };
    let seen: { lines: number } | undefined;
    for (let i = 0; i < 600 && !(seen = await partial()); i++) await new Promise((resolve) => setTimeout(resolve, 25));
    child.kill('SIGKILL');
    await closed;
    expect(seen, 'the load was killed inside the file, after a partial commit').to.not.equal(undefined);
    const [{ n: committed }] = await db.query<{ n: string }>('SELECT count(*) AS n FROM pushed_big.events');
    const after = (await partial())!;
    expect(Number(committed), 'rows committed are exactly those the committed state covers').to.equal(after.lines);
    expect(after.lines).to.be.lessThan(LINES);
    const rerun = await run(config, 's3://drops/logrocket/big/', 'events');
    expect(rerun.code, rerun.stderr).to.equal(0);
    expect(rerun.stderr).to.include('resuming a file after its last committed line');
    const [counts] = await db.query<{ n: string; distinct_at: string }>('SELECT count(*) AS n, count(DISTINCT at) AS distinct_at FROM pushed_big.events');
    expect(counts).to.deep.equal({ n: String(LINES), distinct_at: String(LINES) });
    expect(await partial()).to.equal(undefined);
  });

  it('sends COPY ... FROM each pushed CSV object with its header skipped (redshift dialect), all or nothing', async () => {
    await push('logrocket/rs/1.csv.gz', gzipSync('id,user\n1,a\n'));
    await push('logrocket/rs/2.csv', 'id,user\n2,b\n');
    const sqlLog = join(mkdtempSync(join(tmpdir(), 'prefix-sql-')), 'statements.sql');
    const config = {
      url: redshiftDb.url,
      dialect: 'redshift',
      schema: 'pushed_rs',
      s3: { bucket: 'drops', region: 'eu-west-1', endpoint: s3.endpoint, iam_role: 'arn:aws:iam::1:role/copy' },
    };
    const result = await run(config, 's3://drops/logrocket/rs/', 'sessions', [], { OBSERVES_SQL_LOG: sqlLog });
    // PostgreSQL cannot COPY from S3: the load fails as one unit and commits no state.
    expect(result.code).to.equal(1);
    const copies = readFileSync(sqlLog, 'utf8')
      .split('\n')
      .filter((l) => l.startsWith('COPY'));
    expect(copies[0]).to.equal(
      `COPY "_sdc_stage_0" ("id", "user") FROM 's3://drops/logrocket/rs/1.csv.gz' IAM_ROLE 'arn:aws:iam::1:role/copy' REGION 'eu-west-1' FORMAT AS CSV GZIP IGNOREHEADER 1 EMPTYASNULL TIMEFORMAT 'auto' DATEFORMAT 'auto'`,
    );
    expect(
      await redshiftDb.query("SELECT count(*)::int AS n FROM information_schema.tables WHERE table_schema = 'pushed_rs' AND table_name = '_sdc_state'"),
    ).to.deep.equal([{ n: 0 }]);
  });

  it("refuses, naming the reason, a stream missing from the cache, a field the schema lacks, a file of no known format, another prefix's state", async () => {
    const config = configFor('pushed_bad');
    const missing = await run(config, 's3://drops/logrocket/csv/', 'pages');
    expect(missing.code).to.equal(1);
    expect(missing.stderr).to.match(/the schema cache has no schema for stream \\"pages\\"/);
    await push('logrocket/bad-field/1.csv', 'id,colour\n1,red\n');
    const field = await run(configFor('pushed_field'), 's3://drops/logrocket/bad-field/', 'sessions');
    expect(field.stderr).to.match(/has fields its cached schema does not declare at the top level: \\"colour\\"/);
    await push('logrocket/parquet/1.parquet', 'PAR1');
    const format = await run(configFor('pushed_fmt'), 's3://drops/logrocket/parquet/', 'sessions');
    expect(format.stderr).to.match(/files of no known format .*logrocket\/parquet\/1\.parquet/);
    await push('logrocket/one/1.csv', 'id\n1\n');
    expect((await run(configFor('pushed_other'), 's3://drops/logrocket/one/', 'sessions')).code).to.equal(0);
    const other = await run(configFor('pushed_other'), 's3://drops/logrocket/events/', 'events');
    expect(other.code).to.equal(1);
    expect(other.stderr).to.match(/is of s3:\/\/drops\/logrocket\/one\/, not s3:\/\/drops\/logrocket\/events\/: give each prefix its own state_id/);
    expect(
      await db.query(
        "SELECT count(*)::int AS n FROM information_schema.tables WHERE table_schema IN ('pushed_field', 'pushed_fmt') AND table_name <> '_sdc_state'",
      ),
    ).to.deep.equal([{ n: 0 }]);
  });

  it('reads CSV header fields as RFC 4180 quotes them', () => {
    expect(parseCsvLine('id,"a,b","say ""hi""",\r')).to.deep.equal(['id', 'a,b', 'say "hi"', '']);
  });
});
