import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { expect } from 'chai';
import { serializeJson, type JsonRecord, type JsonSchema } from '@observes/protocol';
import { RecordFlattener, planStream, type S3Manifest, type S3ManifestFile, type S3ManifestStream } from '@observes/target-core';
import type { TestDatabase } from '@observes/testkit/postgres-harness';
import { startS3Server, S3RVER_ACCESS_KEY_ID, S3RVER_SECRET_ACCESS_KEY, type S3Server } from '@observes/testkit/s3-server';
import { csvChunks } from './csv-rows.js';
import { manifestMessages } from './from-s3.js';
import { databaseFor, BIN, withoutCommits } from './testing/test-support.js';
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';

const schema: JsonSchema = {
  type: 'object',
  properties: {
    id: { type: 'integer' },
    name: { type: ['string', 'null'] },
    big: { type: ['integer', 'null'] },
    tags: { type: 'array', items: { type: 'string' } },
  },
};
const record = (id: number, name: string | null, tags: string[]): JsonRecord => ({ id, name, tags });

// Files are written here the way target-s3 writes them (gzip JSON lines of records, or gzip CSV of the
// shared flattening with \N for NULL), so these tests do not depend on another package.
describe('target-redshift --from-s3 <manifest>', function () {
  this.timeout(60_000);
  let s3: S3Server;
  let db: TestDatabase;
  let redshiftDb: TestDatabase;
  let n = 0;
  before(async () => {
    s3 = await startS3Server({ buckets: ['etl'] });
    db = await databaseFor('postgres');
    redshiftDb = await databaseFor('redshift');
  });
  after(async () => {
    await s3?.stop();
    await db?.drop();
    await redshiftDb?.drop();
  });

  const put = async (key: string, body: Buffer | string) => {
    await s3.client.send(new PutObjectCommand({ Bucket: 'etl', Key: key, Body: body }));
    return `s3://etl/${key}`;
  };

  async function jsonlManifest(records: JsonRecord[][], version?: number, state?: unknown): Promise<string> {
    const run = `run${++n}`;
    const files: S3ManifestFile[] = [];
    for (let i = 0; i < records.length; i++) {
      const text = records[i].map((r) => serializeJson(r) + '\n').join('');
      files.push({
        url: await put(`backup/jobs/${run}/part-${i}.jsonl.gz`, gzipSync(text)),
        table: 'jobs',
        rows: records[i].length,
        bytes: 0,
        columns: ['id', 'name', 'tags'],
      });
    }
    const stream: S3ManifestStream = { schema, key_properties: ['id'], files, ...(version === undefined ? {} : { version }) };
    const manifest: S3Manifest = {
      manifest_version: 1,
      run_id: run,
      created_at: new Date().toISOString(),
      format: 'jsonl.gz',
      streams: { jobs: stream },
      ...(state === undefined ? {} : { state }),
    };
    return put(`backup/_manifests/${run}.json`, JSON.stringify(manifest));
  }

  async function csvManifest(records: JsonRecord[], version?: number): Promise<string> {
    const run = `run${++n}`;
    const plan = planStream('jobs', schema, ['id']);
    const rows = new RecordFlattener(plan).flattenOne({}, {}).map(() => [] as unknown[][]);
    const flattener = new RecordFlattener(plan);
    for (const r of records) flattener.flatten(r, {}, rows);
    const files: S3ManifestFile[] = [];
    for (let t = 0; t < plan.tables.length; t++) {
      const text = [...csvChunks(rows[t])].join('');
      files.push({
        url: await put(`stage/${plan.tables[t].name}/${run}/part-0.csv.gz`, gzipSync(text)),
        table: plan.tables[t].name,
        rows: rows[t].length,
        bytes: 0,
        columns: plan.tables[t].columns.map((c) => c.name),
      });
    }
    const manifest: S3Manifest = {
      manifest_version: 1,
      run_id: run,
      created_at: new Date().toISOString(),
      format: 'csv.gz',
      streams: { jobs: { schema, key_properties: ['id'], files, ...(version === undefined ? {} : { version }) } },
      state: { run },
    };
    return put(`stage/_manifests/${run}.json`, JSON.stringify(manifest));
  }

  const env = { AWS_ACCESS_KEY_ID: S3RVER_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY: S3RVER_SECRET_ACCESS_KEY };
  const runFromS3 = (config: Record<string, unknown>, manifestUrl: string, extraEnv: Record<string, string> = {}) =>
    runFromS3WithArgs(config, manifestUrl, [], extraEnv);
  const runFromS3WithArgs = (config: Record<string, unknown>, manifestUrl: string, args: string[], extraEnv: Record<string, string> = {}) => {
    const dir = mkdtempSync(join(tmpdir(), 'from-s3-'));
    const file = join(dir, 'config.json');
    writeFileSync(file, JSON.stringify(config));
    return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
      const child = spawn(process.execPath, [BIN, '--config', file, '--from-s3', manifestUrl, ...args], {
        env: { ...process.env, ...env, ...extraEnv },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      child.on('close', (code) => resolve({ code, stdout, stderr }));
    });
  };

  for (const dialect of ['postgres', 'redshift'] as const) {
    // Without s3.iam_role the redshift dialect loads with multi-row INSERTs, which PostgreSQL runs.
    it(`loads jsonl.gz backups through the record pipeline, merging then replacing a versioned stream (${dialect} dialect)`, async () => {
      const target = dialect === 'postgres' ? db : redshiftDb;
      const config = { url: target.url, dialect, schema: `jl_${dialect}`, s3: { bucket: 'etl', region: 'us-east-1', endpoint: s3.endpoint } };
      const big = { ...record(3, 'big', []), big: 123 };
      const first = await runFromS3(
        config,
        await jsonlManifest(
          [
            [record(1, 'a', ['x']), record(2, null, [])],
            [record(1, 'a2', ['y', 'z']), big],
          ],
          undefined,
          { bookmarks: 1 },
        ),
      );
      expect(first.code, first.stderr).to.equal(0);
      // The state it commits and echoes: the manifest loaded (so a rerun skips it) and the manifest's own state.
      const echoed = JSON.parse(first.stdout) as { value: { loaded_manifests: Record<string, string>; state: unknown }; commit: { sequence: number } };
      expect(echoed.value.state).to.deep.equal({ bookmarks: 1 });
      expect(Object.keys(echoed.value.loaded_manifests)).to.have.length(1);
      expect(echoed.commit.sequence).to.equal(1);
      expect(await target.query(`SELECT id::int, name FROM jl_${dialect}.jobs ORDER BY id`)).to.deep.equal([
        { id: 1, name: 'a2' },
        { id: 2, name: null },
        { id: 3, name: 'big' },
      ]);
      expect(await target.query(`SELECT value FROM jl_${dialect}.jobs__tags ORDER BY 1`)).to.deep.equal([{ value: 'y' }, { value: 'z' }]);
      const replaced = await runFromS3(config, await jsonlManifest([[record(9, 'only', ['t'])]], 5));
      expect(replaced.code, replaced.stderr).to.equal(0);
      expect(await target.query(`SELECT id::int, name FROM jl_${dialect}.jobs ORDER BY id`)).to.deep.equal([{ id: 9, name: 'only' }]);
      expect(await target.query(`SELECT value FROM jl_${dialect}.jobs__tags`)).to.deep.equal([{ value: 't' }]);
    });
  }

  it('loads csv.gz files of flattened rows with a streamed COPY (postgres dialect): merge, then replace', async () => {
    const config = { url: db.url, dialect: 'postgres', schema: 'csv_pg', s3: { bucket: 'etl', region: 'us-east-1', endpoint: s3.endpoint } };
    const first = await runFromS3(config, await csvManifest([record(1, 'a,"quoted"', ['x', 'y']), record(2, '\\N', []), record(3, '', ['w'])]));
    expect(first.code, first.stderr).to.equal(0);
    const second = await runFromS3(config, await csvManifest([record(1, null, ['z'])]));
    expect(second.code, second.stderr).to.equal(0);
    expect(withoutCommits(second.stdout)).to.match(
      /^\{"type":"STATE","value":\{"loaded_manifests":\{"s3:\/\/etl\/stage\/_manifests\/run\d+\.json":"[^"]+","s3:\/\/etl\/stage\/_manifests\/run\d+\.json":"[^"]+"\},"state":\{"run":"run\d+"\}\}\}\n$/,
    );
    expect(await db.query('SELECT id::int, name FROM csv_pg.jobs ORDER BY id')).to.deep.equal([
      { id: 1, name: null },
      { id: 2, name: '\\N' },
      { id: 3, name: '' },
    ]);
    expect(await db.query('SELECT _sdc_source_key_id::int AS id, value FROM csv_pg.jobs__tags ORDER BY 1, 2')).to.deep.equal([
      { id: 1, value: 'z' },
      { id: 3, value: 'w' },
    ]);
    const replaced = await runFromS3(config, await csvManifest([record(7, 'seven', [])], 3));
    expect(replaced.code, replaced.stderr).to.equal(0);
    expect(await db.query('SELECT id::int, name FROM csv_pg.jobs')).to.deep.equal([{ id: 7, name: 'seven' }]);
    expect(await db.query('SELECT count(*)::int AS n FROM csv_pg.jobs__tags')).to.deep.equal([{ n: 0 }]);
  });

  it('sends COPY ... FROM each csv.gz file in the redshift dialect', async () => {
    const sqlLog = join(mkdtempSync(join(tmpdir(), 'sql-log-')), 'statements.sql');
    const config = {
      url: redshiftDb.url,
      dialect: 'redshift',
      schema: 'csv_rs',
      s3: { bucket: 'etl', region: 'eu-west-1', endpoint: s3.endpoint, iam_role: 'arn:aws:iam::1:role/r' },
    };
    const manifestUrl = await csvManifest([record(1, 'a', ['x'])]);
    const result = await runFromS3(config, manifestUrl, { OBSERVES_SQL_LOG: sqlLog });
    // PostgreSQL cannot COPY from S3: the load fails as one unit, naming the stream and table.
    expect(result.code).to.equal(1);
    expect(result.stderr).to.include('stream \\"jobs\\": table \\"jobs\\": loading 2 file(s) from S3');
    const copies = readFileSync(sqlLog, 'utf8')
      .split('\n')
      .filter((l) => l.startsWith('COPY'));
    expect(copies[0]).to.match(
      /^COPY "_sdc_stage_0" \("id", "name", "big"\) FROM 's3:\/\/etl\/stage\/jobs\/run\d+\/part-0\.csv\.gz' IAM_ROLE 'arn:aws:iam::1:role\/r' REGION 'eu-west-1' FORMAT AS CSV GZIP NULL AS '\\\\N' TIMEFORMAT 'auto' DATEFORMAT 'auto'$/,
    );
    expect(await redshiftDb.query("SELECT table_name FROM information_schema.tables WHERE table_schema = 'csv_rs'")).to.deep.equal([]);
  });

  it('skips a manifest it already loaded, found in _sdc_state or given back with --state', async () => {
    const config = { url: db.url, dialect: 'postgres', schema: 'skip_pg', s3: { bucket: 'etl', region: 'us-east-1', endpoint: s3.endpoint } };
    const manifestUrl = await csvManifest([record(1, 'a', ['x']), record(2, 'b', [])]);
    const first = await runFromS3(config, manifestUrl);
    expect(first.code, first.stderr).to.equal(0);
    await db.query("UPDATE skip_pg.jobs SET name = 'changed after the load' WHERE id = 1");
    // A retry of the load step (the state in the warehouse says it is loaded): nothing is loaded again.
    const again = await runFromS3(config, manifestUrl);
    expect(again.code, again.stderr).to.equal(0);
    expect(again.stderr).to.contain('manifest already loaded: skipped');
    expect(JSON.parse(again.stdout)).to.deep.equal(JSON.parse(first.stdout));
    expect(await db.query('SELECT name FROM skip_pg.jobs WHERE id = 1')).to.deep.equal([{ name: 'changed after the load' }]);
    // In another schema (no _sdc_state row), the state echoed before, given back, says the same.
    const elsewhere = { ...config, schema: 'skip_other' };
    const state = join(mkdtempSync(join(tmpdir(), 'from-s3-state-')), 'state.json');
    writeFileSync(state, JSON.stringify((JSON.parse(first.stdout) as { value: unknown }).value));
    const given = await runFromS3WithArgs(elsewhere, manifestUrl, ['--state', state]);
    expect(given.code, given.stderr).to.equal(0);
    expect(given.stderr).to.contain('manifest already loaded: skipped');
    expect(await db.query("SELECT table_name FROM information_schema.tables WHERE table_schema = 'skip_other'")).to.deep.equal([]);
  });
});

describe('manifestMessages (the Singer stream of a jsonl.gz manifest)', () => {
  const records = Array.from({ length: 40 }, (_, i) => ({ id: i, name: `${'é😀中\u{10FFFF}'.repeat(i % 4)}#${i}`, tags: [] }));
  const bytes = Buffer.from(records.map((r) => serializeJson(r) + '\n').join(''));
  const manifest: S3Manifest = {
    manifest_version: 1,
    run_id: 'r',
    created_at: '',
    format: 'jsonl.gz',
    streams: {
      jobs: { schema, key_properties: ['id'], files: [{ url: 's3://b/jobs/part-0.jsonl.gz', table: 'jobs', rows: records.length, bytes: 0, columns: [] }] },
    },
  };
  const collect = async (data: Buffer, size: number) => {
    let text = '';
    const read = async function* () {
      for (let i = 0; i < data.length; i += size) yield data.subarray(i, i + size);
    };
    for await (const chunk of manifestMessages(manifest, read)) text += chunk;
    return text;
  };

  it('decodes multi-byte characters split at every chunk boundary exactly (they became U+FFFD)', async () => {
    for (const size of [1, 2, 3, 5, 7, 64]) {
      const messages = (await collect(bytes, size))
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as { type: string; record?: JsonRecord });
      expect(
        messages.filter((m) => m.type === 'RECORD').map((m) => m.record),
        `chunks of ${size} bytes`,
      ).to.deep.equal(records);
    }
  });

  it('refuses bytes that are not UTF-8 naming the stream, the file and the line', async () => {
    const error = await collect(Buffer.concat([Buffer.from('{"id":100}\n{"id":101,"name":"'), Buffer.from([0xe2, 0x82]), Buffer.from('"}\n')]), 3).then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    expect(error?.message).to.equal(
      'stream "jobs": file s3://b/jobs/part-0.jsonl.gz: line 2: line holds bytes that are not UTF-8 (set invalid_text to "replace" to load them as U+FFFD)',
    );
  });
});
