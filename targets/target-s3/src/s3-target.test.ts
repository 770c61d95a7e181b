import { Readable, Writable } from 'node:stream';
import { HeadObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { expect } from 'chai';
import { createLogger, isExactNumber, MessageWriter } from '@observes/protocol';
import type { S3Manifest } from '@observes/target-core';
import { startS3Server, type S3Server } from '@observes/testkit';
import { resolveConfig, type TargetS3Config } from './config.js';
import { readCsvFile, readJsonLinesFile, readManifest } from './manifest-reader.js';
import { fileKey, keySegment, manifestKey, streamFolder } from './object-keys.js';
import { S3Target } from './s3-target.js';

const quiet = createLogger({ name: 'test', level: 'error', write: () => undefined });
const SCHEMA = (stream: string) =>
  JSON.stringify({
    type: 'SCHEMA',
    stream,
    key_properties: ['id'],
    schema: {
      type: 'object',
      properties: {
        id: { type: 'integer' },
        big: { type: ['number', 'null'] },
        tags: { type: 'array', items: { type: 'string' } },
        owner: { type: 'object', properties: { name: { type: 'string' } } },
      },
    },
  });
const RECORD = (stream: string, id: number, extra = '') =>
  `{"type":"RECORD","stream":"${stream}","record":{"id":${id},"big":123456789012345678901234567890.5,"tags":["a","b"],"owner":{"name":"n${id}${extra}"}}}`;
const STATE = (n: number) => `{"type":"STATE","value":{"n":${n}}}`;

describe('target-s3', () => {
  let s3: S3Server;
  before(async () => {
    s3 = await startS3Server({ buckets: ['data'] });
  });
  after(() => s3.stop());

  async function run(lines: string[], config: Partial<TargetS3Config>, onState?: (value: unknown) => Promise<void>) {
    const states: unknown[] = [];
    // A one-byte buffer makes every echo wait until its check is done, as a slow reader would.
    const out = new Writable({
      highWaterMark: 1,
      write(chunk, _e, done) {
        const values = String(chunk)
          .split('\n')
          .filter(Boolean)
          .map((line) => (JSON.parse(line) as { value: unknown }).value);
        states.push(...values);
        Promise.all(values.map((value) => onState?.(value))).then(() => done(), done);
      },
    });
    const target = new S3Target({ config: resolveConfig({ bucket: 'data', ...config }), client: s3.client, output: new MessageWriter(out), logger: quiet });
    const result = await target.run(Readable.from([lines.join('\n') + '\n'])).then(
      (manifest) => ({ manifest, error: undefined }),
      (error: Error) => ({ manifest: undefined, error }),
    );
    return { ...result, states };
  }
  const keys = async (prefix: string) =>
    ((await s3.client.send(new ListObjectsV2Command({ Bucket: 'data', Prefix: prefix }))).Contents ?? []).map((o) => o.Key!).sort();

  it('names keys deterministically and keeps odd stream names portable and distinct', () => {
    const folder = streamFolder('backups/gitlab', 'jobs', 'run-1');
    expect(folder).to.equal('backups/gitlab/jobs/run-1/');
    expect(fileKey(folder, 3, 'jsonl')).to.equal('backups/gitlab/jobs/run-1/part-00003.jsonl.gz');
    expect(fileKey(folder, 0, 'csv', 'jobs__tags')).to.equal('backups/gitlab/jobs/run-1/jobs__tags/part-00000.csv.gz');
    expect(manifestKey('', '2026-11')).to.equal('_manifests/2026-11.json');
    expect(keySegment('my stream/x')).to.match(/^my_stream_x-[0-9a-f]+$/);
    expect(keySegment('my stream/x')).to.not.equal(keySegment('my_stream/x'));
  });

  it('writes gzip JSON lines per stream with exact numbers and a manifest listing every file', async () => {
    const { manifest, states } = await run([SCHEMA('jobs'), RECORD('jobs', 1), RECORD('jobs', 2), SCHEMA('users'), RECORD('users', 7), STATE(1)], {
      prefix: 'p1',
      run_id: 'r1',
    });
    expect(states).to.deep.equal([{ n: 1 }]);
    expect(await keys('p1/')).to.deep.equal([
      'p1/_manifests/_head/default.json',
      'p1/_manifests/r1.json',
      'p1/jobs/r1/part-00000.jsonl.gz',
      'p1/users/r1/part-00000.jsonl.gz',
    ]);
    const stored = await readManifest(s3.client, 's3://data/p1/_manifests/r1.json');
    expect(stored).to.deep.equal(JSON.parse(JSON.stringify(manifest)));
    expect(stored).to.deep.include({ manifest_version: 1, run_id: 'r1', format: 'jsonl.gz', state: { n: 1 } });
    const file = stored.streams.jobs.files[0];
    expect(file).to.deep.include({ url: 's3://data/p1/jobs/r1/part-00000.jsonl.gz', table: 'jobs', rows: 2, columns: ['id', 'big', 'tags', 'owner'] });
    expect(file.bytes).to.be.greaterThan(20);
    const rows = await readJsonLinesFile(s3.client, file);
    expect(rows.map((r) => r.id)).to.deep.equal([1, 2]);
    expect(isExactNumber(rows[0].big) && rows[0].big.value).to.equal('123456789012345678901234567890.5');
  });

  it('rotates files by size; the rows of all parts add up', async () => {
    const lines = [SCHEMA('jobs'), ...Array.from({ length: 60 }, (_, i) => RECORD('jobs', i, 'x'.repeat(50))), STATE(1)];
    const { manifest } = await run(lines, { prefix: 'p2', run_id: 'r', max_file_bytes: 2048 });
    const files = manifest!.streams.jobs.files;
    expect(files.length).to.be.greaterThan(2);
    expect(files.map((f) => f.url)).to.deep.equal(files.map((_, i) => `s3://data/p2/jobs/r/part-${String(i).padStart(5, '0')}.jsonl.gz`));
    expect(files.reduce((n, f) => n + f.rows, 0)).to.equal(60);
    const ids = (await Promise.all(files.map((f) => readJsonLinesFile(s3.client, f)))).flat().map((r) => r.id);
    expect(ids).to.deep.equal(Array.from({ length: 60 }, (_, i) => i));
  });

  it('uploads a file larger than a part as a multipart upload, intact', async () => {
    // Base64 of random bytes compresses to about 3/4: some 5.6 MiB of gzip, so two parts.
    const { randomBytes } = await import('node:crypto');
    const lines = [SCHEMA('blobs'), ...Array.from({ length: 60 }, (_, i) => RECORD('blobs', i, randomBytes(96 * 1024).toString('base64'))), STATE(1)];
    const { manifest, error } = await run(lines, { prefix: 'p6', run_id: 'r', part_size_bytes: 5 * 1024 * 1024 });
    expect(error).to.equal(undefined);
    const [file] = manifest!.streams.blobs.files;
    expect(file.bytes).to.be.greaterThan(5 * 1024 * 1024);
    const rows = await readJsonLinesFile(s3.client, file);
    expect(rows.map((r) => (r.owner as { name: string }).name)).to.deep.equal(
      lines.slice(1, -1).map((l) => (JSON.parse(l) as { record: { owner: { name: string } } }).record.owner.name),
    );
  });

  it('echoes each STATE only after the files before it and a manifest listing them are stored', async () => {
    let checked = 0;
    const lines = [SCHEMA('jobs'), RECORD('jobs', 1), RECORD('jobs', 2), STATE(2), RECORD('jobs', 3), STATE(3), STATE(4)];
    const { states } = await run(lines, { prefix: 'p3', run_id: 'r', batch_max_age_seconds: 0 }, async (value) => {
      const stored: S3Manifest = await readManifest(s3.client, 's3://data/p3/_manifests/r.json');
      const rows = stored.streams.jobs.files.reduce((n, f) => n + f.rows, 0);
      expect(rows, `rows stored when state ${JSON.stringify(value)} was echoed`).to.be.at.least((value as { n: number }).n === 2 ? 2 : 3);
      for (const file of stored.streams.jobs.files) await s3.client.send(new HeadObjectCommand({ Bucket: 'data', Key: file.url.replace('s3://data/', '') }));
      checked++;
    });
    expect(states).to.deep.equal([{ n: 2 }, { n: 3 }, { n: 4 }]);
    expect(checked).to.equal(3);
  });

  it('writes flattened CSV with child tables as their own files, NULL as \\N', async () => {
    const lines = [SCHEMA('jobs'), RECORD('jobs', 1), '{"type":"RECORD","stream":"jobs","record":{"id":2,"big":null,"tags":[],"owner":{"name":""}}}', STATE(1)];
    const { manifest, error } = await run(lines, { prefix: 'p4', run_id: 'r', format: 'csv' });
    expect(error).to.equal(undefined);
    expect(manifest!.format).to.equal('csv.gz');
    const files = manifest!.streams.jobs.files;
    expect(files.map((f) => [f.table, f.rows, f.url.replace('s3://data/p4/jobs/r/', '')])).to.deep.equal([
      ['jobs', 2, 'jobs/part-00000.csv.gz'],
      ['jobs__tags', 2, 'jobs__tags/part-00000.csv.gz'],
    ]);
    const root = files[0];
    const text = await readCsvFile(s3.client, root);
    const lines2 = text.trim().split('\n');
    expect(root.columns.indexOf('owner__name')).to.be.greaterThan(-1);
    expect(lines2[0].split(',')[root.columns.indexOf('big')]).to.equal('123456789012345678901234567890.5');
    expect(lines2[1].split(',')[root.columns.indexOf('big')]).to.equal('\\N');
    expect(lines2[1].split(',')[root.columns.indexOf('owner__name')]).to.equal('""');
  });

  it("with a period, replaces that period's earlier file set", async () => {
    const many = [SCHEMA('worklogs'), ...Array.from({ length: 40 }, (_, i) => RECORD('worklogs', i, 'y'.repeat(60))), STATE(1)];
    await run(many, { prefix: 'backup', period: '2026-11', max_file_bytes: 1024 });
    const before = await keys('backup/worklogs/2026-11/');
    expect(before.length).to.be.greaterThan(2);
    const { manifest } = await run([SCHEMA('worklogs'), RECORD('worklogs', 1), STATE(2)], { prefix: 'backup', period: '2026-11', max_file_bytes: 1024 });
    expect(await keys('backup/worklogs/2026-11/')).to.deep.equal(['backup/worklogs/2026-11/part-00000.jsonl.gz']);
    expect(manifest!.run_id).to.equal('2026-11');
    expect((await readManifest(s3.client, 's3://data/backup/_manifests/2026-11.json')).streams.worklogs.files).to.have.length(1);
  });

  it('stops at bad input naming the line, echoing no state and listing nothing', async () => {
    const { error, states } = await run([SCHEMA('jobs'), STATE(0), RECORD('jobs', 1), '{"type":"RECORD","stream":"jobs","record":{"id":"two"}}', STATE(1)], {
      prefix: 'p5',
      run_id: 'r',
    });
    expect(error?.message).to.match(/^line 4: stream "jobs": record breaks its schema at \/id/);
    expect(states).to.deep.equal([]);
    expect(await keys('p5/')).to.deep.equal([]);
  });

  it('lists every config problem at once', () => {
    const error = (() => {
      try {
        resolveConfig({ prefix: 1, format: 'xml', period: '../x', extra: true });
      } catch (e) {
        return e as Error;
      }
    })();
    for (const problem of ["required property 'bucket'", '(extra)', '/prefix: must be string', '/format:', '/period: must match pattern'])
      expect(error?.message).to.contain(problem);
  });
});
