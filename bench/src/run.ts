/**
 * `npm run bench`: throughput and memory of Observes next to the limits of the same machine and data.
 * Prints a markdown table and writes bench/results/latest.json. Not part of `npm test`.
 */
import { execFileSync } from 'node:child_process';
import { appendFileSync, createReadStream, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { readMessageBatches, StreamChecker, type RecordMessage } from '@observes/protocol';
import { readLineBatches } from '@observes/protocol/line-reader';
import { layoutTable, planStream, RecordEncodingPool, RecordFlattener, type ColumnType, type EncodingSource, type Row } from '@observes/target-core';
import type { FastRecord, FastRowsState } from '@observes/target-redshift/fast-rows';
import { csvChunks } from '@observes/target-redshift/csv-rows';
import { applyRedshiftShim, createTestDatabase, startS3Server, type TestDatabase } from '@observes/testkit';
import { S3Stager } from '@observes/target-redshift/s3-staging';
import { defaultWorkers } from '@observes/target-redshift/target';
import { schemaOf, writeStreams, type StreamKind } from './generate-stream.js';
import { markdownTable, runProgram, timed, type Figure } from './measure.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
/** The target-redshift to measure (`BENCH_TARGET_REDSHIFT`: another checkout's bin, for a before/after pair). */
const TARGET_REDSHIFT = process.env.BENCH_TARGET_REDSHIFT ?? join(root, 'targets/target-redshift/bin/target-redshift.js');
const TARGET_S3 = join(root, 'targets/target-s3/bin/target-s3.js');
/** `--quick` (or `BENCH_QUICK=1`): a tenth of the records, to try the bench out in about a minute. */
const QUICK = process.argv.includes('--quick') || process.env.BENCH_QUICK === '1';
const SMALL = Number(process.env.BENCH_SMALL ?? (QUICK ? 20_000 : 200_000));
const LARGE = Number(process.env.BENCH_LARGE ?? (QUICK ? 100_000 : 1_000_000));
/** Streams to measure (`BENCH_STREAMS=pair,jobs`): the pair stream (3 rows a record) and the 1 KB jobs stream. */
const STREAMS = (process.env.BENCH_STREAMS ?? 'pair,jobs').split(',').map((s) => s.trim()) as StreamKind[];
/**
 * Streams also measured at the large size (`BENCH_LARGE_STREAMS=pair,jobs`; default the pair stream): the 1
 * KB jobs stream's 1M runs and their raw COPY add about 5 minutes, past the bench's 10-minute budget on 2 cores.
 */
const LARGE_STREAMS = (process.env.BENCH_LARGE_STREAMS ?? 'pair').split(',').map((s) => s.trim());
/** Also run the redshift dialect (INSERTs on PostgreSQL) at the large size (`BENCH_REDSHIFT_LARGE=1`; minutes). */
const REDSHIFT_LARGE = process.env.BENCH_REDSHIFT_LARGE === '1';
/** Worker threads the target uses by default on this machine (its `workers` setting unset). */
const DEFAULT_WORKERS = defaultWorkers();
/** ...and with S3 staging, which leaves a CPU to gzip and the uploads. */
const STAGING_DEFAULT_WORKERS = defaultWorkers(undefined, true);
/**
 * Worker counts measured side by side (postgres merge and the S3 staging share at the small size), besides the
 * default: `BENCH_WORKERS=0,1,2,4` for the full sweep (about 2 minutes more).
 */
const WORKER_SWEEP = (process.env.BENCH_WORKERS ?? '0,2').split(',').map(Number);
/** Issue 19: the 1M-record rate at least 90% of the 200k rate. */
const FLAT_RATE = 0.9;
/** Issue 6: peak RSS of the target at most 300 MB... */
const MEMORY_BUDGET_MB = 300;
/** ...and the same at 1M records as at 200k: within 10%. */
const FLAT_MEMORY = 1.1;

function log(message: string): void {
  process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}\n`);
}

/**
 * Bare single-thread JSON.parse over the stream's lines: the bound of any reader. Timed without keeping the
 * results (a reader does not keep them either: holding 200k parsed records would slow it with GC work);
 * the records for the flattening figure are parsed again, untimed.
 */
function bareParse(path: string): { rate: number; records: RecordMessage[] } {
  const lines = readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l.length > 0);
  let records = 0;
  const start = process.hrtime.bigint();
  for (const line of lines) if ((JSON.parse(line) as RecordMessage).type === 'RECORD') records++;
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  const parsed = lines.map((l) => JSON.parse(l) as RecordMessage).filter((m) => m.type === 'RECORD');
  if (parsed.length !== records) throw new Error('bare parse counted records wrong');
  return { rate: lines.length / seconds, records: parsed };
}

/** Reading, decoding and splitting the file into lines only: what a reader pays before any JSON.parse. */
async function readLines(path: string): Promise<number> {
  let count = 0;
  const seconds = await timed(async () => {
    for await (const batch of readLineBatches(createReadStream(path))) count += batch.length;
  });
  return count / seconds;
}

async function readAndValidate(path: string): Promise<number> {
  let count = 0;
  const checker = new StreamChecker();
  const seconds = await timed(async () => {
    for await (const batch of readMessageBatches(createReadStream(path))) {
      for (const read of batch) checker.check(read);
      count += batch.length;
    }
  });
  return count / seconds;
}

function flattenRate(kind: StreamKind, records: RecordMessage[]): { rate: number; rows: number } {
  const plan = planStream('jobs', schemaOf(kind), ['id']);
  const flattener = new RecordFlattener(plan);
  let rows = 0;
  const start = process.hrtime.bigint();
  for (let i = 0; i < records.length; i += 10_000) {
    const out: Row[][] = plan.tables.map(() => []);
    for (const message of records.slice(i, i + 10_000)) flattener.flatten(message.record, {}, out);
    rows += out.reduce((n, t) => n + t.length, 0);
  }
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  return { rate: records.length / seconds, rows };
}

async function countRows(db: TestDatabase, schema: string): Promise<number> {
  const tables = await db.query<{ table_name: string }>(
    `SELECT table_name FROM information_schema.tables WHERE table_schema = $1 AND table_name LIKE 'jobs%'`,
    [schema],
  );
  let rows = 0;
  for (const { table_name } of tables) rows += Number((await db.query<{ n: string }>(`SELECT count(*) AS n FROM "${schema}"."${table_name}"`))[0].n);
  return rows;
}

async function loadIntoWarehouse(db: TestDatabase, dir: string, stream: string, schema: string, dialect: 'postgres' | 'redshift', workers?: number) {
  const configPath = join(dir, `${schema}.json`);
  writeFileSync(configPath, JSON.stringify({ url: db.url, schema, dialect, batch_size_rows: 50_000, ...(workers === undefined ? {} : { workers }) }));
  const run = await runProgram([TARGET_REDSHIFT, '--config', configPath], stream);
  return { ...run, rows: await countRows(db, schema) };
}

/**
 * psql `\copy` of the same flattened rows the target loaded, as the same CSV text it streams (target-core's
 * flattening, target-redshift's CSV cells), into the same tables emptied: the bound of any PostgreSQL loader.
 * The CSV files are written batch by batch, so a million records never sit in memory at once.
 */
async function rawCopyRate(kind: StreamKind, db: TestDatabase, dir: string, path: string, schema: string): Promise<{ rate: number; rows: number }> {
  const plan = planStream('jobs', schemaOf(kind), ['id']);
  const flattener = new RecordFlattener(plan);
  const files = plan.tables.map((table) => {
    const file = join(dir, `${schema}-${table.name}.csv`);
    writeFileSync(file, '');
    return { table: table.name, columns: table.columns.map((c) => `"${c.name}"`).join(', '), file };
  });
  let count = 0;
  let rows: Row[][] = plan.tables.map(() => []);
  const flush = () => {
    rows.forEach((r, t) => {
      count += r.length;
      for (const chunk of csvChunks(r)) appendFileSync(files[t].file, chunk);
    });
    rows = plan.tables.map(() => []);
  };
  // Plain JSON.parse (untimed preparation): the generated streams hold no number a double cannot carry, so the
  // records are the ones the target's lossless parser reads; the row counts are checked against the target's.
  for await (const batch of readLineBatches(createReadStream(path))) {
    for (const { text } of batch) {
      const message = JSON.parse(text) as RecordMessage;
      if (message.type === 'RECORD') flattener.flatten(message.record, {}, rows);
    }
    if (rows[0].length >= 20_000) flush();
  }
  flush();
  for (const { table } of files) await db.query(`TRUNCATE "${schema}"."${table}"`);
  const seconds = await timed(() => {
    for (const { table, columns, file } of files)
      execFileSync('psql', [db.url, '-q', '-c', `\\copy "${schema}"."${table}" (${columns}) FROM '${file}' WITH (FORMAT csv, NULL '\\N')`]);
  });
  for (const { file } of files) rmSync(file, { force: true });
  const loaded = await countRows(db, schema);
  if (loaded !== count) throw new Error(`raw COPY loaded ${loaded} rows, expected ${count}`);
  return { rate: count / seconds, rows: count };
}

/**
 * The target's share of the S3 staging path, in this process: read, parse and validate the stream, flatten, then
 * per batch (50,000 rows) and table the redshift dialect's staging: CSV, gzip, several files uploaded to the S3
 * stand-in (`S3Stager`). What is left out is Redshift's own COPY of the files, which PostgreSQL cannot run.
 */
async function s3StagingRate(
  kind: StreamKind,
  path: string,
  s3: Awaited<ReturnType<typeof startS3Server>>,
): Promise<{ rate: number; mb: number; files: number }> {
  process.env.AWS_ACCESS_KEY_ID = s3.s3Config.accessKeyId;
  process.env.AWS_SECRET_ACCESS_KEY = s3.s3Config.secretAccessKey;
  const stager = new S3Stager({ bucket: 'bench', prefix: `staging-${kind}`, region: s3.s3Config.region, endpoint: s3.s3Config.endpoint });
  const plan = planStream('jobs', schemaOf(kind), ['id']);
  const flattener = new RecordFlattener(plan);
  const json = plan.tables.map((t) => t.columns.map((c) => c.type.kind === 'json'));
  const checker = new StreamChecker();
  let records = 0;
  let files = 0;
  let rows: Row[][] = plan.tables.map(() => []);
  const flush = async () => {
    for (let t = 0; t < rows.length; t++) if (rows[t].length > 0) files += (await stager.stage(plan.tables[t].name, rows[t], json[t])).keys.length;
    rows = plan.tables.map(() => []);
  };
  const seconds = await timed(async () => {
    for await (const batch of readMessageBatches(createReadStream(path))) {
      for (const read of batch) {
        checker.check(read);
        if (read.message.type !== 'RECORD') continue;
        records++;
        flattener.flatten(read.message.record, {}, rows);
      }
      if (rows.reduce((n, r) => n + r.length, 0) >= 50_000) await flush();
    }
    await flush();
  });
  stager.close();
  return { rate: records / seconds, mb: statSync(path).size / 1e6 / seconds, files };
}

/**
 * The same share as {@link s3StagingRate} on the target's worker path: its record encoding pool and encoder
 * (`FastRowEncoder`, what `workers` runs) against tables as a first batch created them, the CSV they write staged
 * with `stageText`; records they decline are flattened and staged here, as the target's main thread would.
 */
async function s3StagingRateWithWorkers(
  kind: StreamKind,
  path: string,
  s3: Awaited<ReturnType<typeof startS3Server>>,
  workers: number,
): Promise<{ rate: number; mb: number; files: number; encoded: number }> {
  const stager = new S3Stager({ bucket: 'bench', prefix: `staging-${kind}-w${workers}`, region: s3.s3Config.region, endpoint: s3.s3Config.endpoint });
  const schema = { type: 'SCHEMA' as const, stream: 'jobs', key_properties: ['id'], schema: schemaOf(kind) };
  const plan = planStream('jobs', schema.schema, ['id']);
  const flattener = new RecordFlattener(plan);
  // The tables as the first 1,000 records would create them.
  const first: Row[][] = plan.tables.map(() => []);
  for (const line of readFileSync(path, 'utf8').split('\n', 1001).slice(1)) {
    const message = JSON.parse(line) as RecordMessage;
    if (message.type === 'RECORD') flattener.flatten(message.record, {}, first);
  }
  const live = plan.tables.map((t, i) => layoutTable(t, undefined, first[i]).columns.map((c): [string, ColumnType] => [c.name, c.type]));
  const json = live.map((columns) => columns.map(([, type]) => type.kind === 'json'));
  const state: FastRowsState = { schemas: { jobs: { schema } }, streams: { jobs: { plan, evolved: schema.schema, alsoDeclared: [], live } } };
  const source: EncodingSource = { planRevision: () => 0, stateRevision: () => 0, state: () => state };
  const pool = new RecordEncodingPool<FastRecord>({
    workerUrl: new URL(import.meta.resolve('@observes/target-redshift/fast-rows-worker')),
    workers,
    init: { runId: 'bench' },
  });
  let records = 0;
  let encoded = 0;
  let files = 0;
  let fragments: string[][] = plan.tables.map(() => []);
  let rows: Row[][] = plan.tables.map(() => []);
  let pending = 0;
  const checker = new StreamChecker();
  const flush = async () => {
    for (let t = 0; t < plan.tables.length; t++) {
      if (fragments[t].length > 0) files += (await stager.stageText(plan.tables[t].name, fragments[t])).keys.length;
      if (rows[t].length > 0) files += (await stager.stage(plan.tables[t].name, rows[t], json[t])).keys.length;
    }
    fragments = plan.tables.map(() => []);
    rows = plan.tables.map(() => []);
    pending = 0;
  };
  const seconds = await timed(async () => {
    for await (const batch of pool.read(readLineBatches(createReadStream(path)), source)) {
      for (const read of batch) {
        if (read.message.type !== 'RECORD') {
          checker.check(read);
          continue;
        }
        records++;
        if (read.encoded) {
          encoded++;
          for (let t = 0; t < plan.tables.length; t++) if (read.encoded.rows[t] > 0) fragments[t].push(read.encoded.csv[t]);
          pending += read.encoded.rows.reduce((a, b) => a + b, 0);
        } else {
          checker.check(read);
          const before = rows.reduce((n, r) => n + r.length, 0);
          flattener.flatten(read.message.record, {}, rows);
          pending += rows.reduce((n, r) => n + r.length, 0) - before;
        }
      }
      if (pending >= 50_000) await flush();
    }
    await flush();
  });
  await pool.close();
  stager.close();
  return { rate: records / seconds, mb: statSync(path).size / 1e6 / seconds, files, encoded };
}

type Dialect = 'postgres' | 'redshift';
type Mode = 'merge' | 'replace';

/** The generated stream of `kind` with `size` records for `mode`, in the bench's scratch folder. */
function streamFile(dir: string, kind: StreamKind, size: number, mode: Mode): string {
  return join(dir, `${kind}-${size}-${mode}.jsonl`);
}

/** Every figure of one stream kind. */
async function benchStream(
  kind: StreamKind,
  dir: string,
  dbs: Record<Dialect, TestDatabase>,
  s3: Awaited<ReturnType<typeof startS3Server>>,
  figures: Figure[],
): Promise<void> {
  const label = kind === 'jobs' ? '1 KB jobs stream' : 'pair stream';
  const files = (size: number, mode: Mode) => streamFile(dir, kind, size, mode);
  const sizes = LARGE_STREAMS.includes(kind) ? [SMALL, LARGE] : [SMALL];
  log(`${label}: generating ${sizes.join(' and ')} record streams`);
  await writeStreams(
    kind,
    sizes.flatMap((size) => [
      { path: files(size, 'merge'), records: size },
      { path: files(size, 'replace'), records: size, version: Date.UTC(2026, 10, 1) },
    ]),
  );
  const small = files(SMALL, 'merge');
  const bytes = statSync(small).size;
  log(`${label}: ${(bytes / 1e6).toFixed(1)} MB, ${Math.round(bytes / SMALL)} bytes per line`);

  const bare = bareParse(small);
  const bareLimit = { name: 'bare JSON.parse, 1 thread', rate: bare.rate };
  figures.push({ name: `[${kind}] bare JSON.parse`, rate: bare.rate, unit: 'lines/s', notes: { 'bytes per line': bytes / SMALL } });
  figures.push({ name: `[${kind}] read + split lines, no parse (protocol)`, rate: await readLines(small), unit: 'lines/s', limit: bareLimit });
  figures.push({ name: `[${kind}] read + parse + validate (protocol)`, rate: await readAndValidate(small), unit: 'msgs/s', limit: bareLimit, goal: 0.7 });
  const flat = flattenRate(kind, bare.records);
  figures.push({
    name: `[${kind}] flatten (target-core)`,
    rate: flat.rate,
    unit: 'records/s',
    limit: bareLimit,
    notes: { 'rows per record': flat.rows / bare.records.length },
  });
  bare.records.length = 0;

  const runs = new Map<string, { rate: number; rss: number }>();
  const rawRates = new Map<number, number>();
  for (const size of sizes) {
    for (const dialect of ['postgres', 'redshift'] as Dialect[]) {
      if (dialect === 'redshift' && size === LARGE && !REDSHIFT_LARGE) continue;
      for (const mode of ['merge', 'replace'] as Mode[]) {
        const schema = `bench_${kind}_${dialect}_${mode}_${size}`;
        log(`${label}: target-redshift ${dialect} dialect, ${mode}, ${size} records`);
        const db = dbs[dialect];
        const run = await loadIntoWarehouse(db, dir, files(size, mode), schema, dialect);
        if (dialect === 'postgres' && mode === 'merge') {
          log(`${label}: raw psql \\copy of the same ${size} flattened records`);
          const raw = await rawCopyRate(kind, db, dir, files(size, mode), schema);
          if (raw.rows !== run.rows) throw new Error(`raw COPY has ${raw.rows} rows, the target loaded ${run.rows}`);
          rawRates.set(size, raw.rate);
          figures.push({ name: `[${kind}] raw COPY (psql \\copy), ${size} records`, rate: raw.rate, unit: 'rows/s', notes: { rows: raw.rows } });
        }
        const rawRate = rawRates.get(size);
        const copyLimit = rawRate === undefined ? undefined : { name: `psql \\copy of the flattened rows (${size})`, rate: rawRate };
        const rate = size / run.seconds;
        runs.set(`${dialect} ${mode} ${size}`, { rate, rss: run.peakRssMb });
        // Workers encode CSV for COPY only: the redshift dialect without S3 staging (INSERTs) runs on one thread.
        const workers = dialect === 'postgres' ? DEFAULT_WORKERS : 0;
        figures.push({
          name: `[${kind}] target-redshift ${dialect} ${mode}, ${size}: records`,
          rate,
          unit: 'records/s',
          limit: bareLimit,
          goal: dialect === 'postgres' ? 0.5 : undefined,
          notes: { 'peak RSS MB': run.peakRssMb, workers, 'warehouse busy committing': `${Math.round((100 * run.commitSeconds) / run.seconds)}%` },
        });
        figures.push({
          name: `[${kind}] target-redshift ${dialect} ${mode}, ${size}: rows incl. children`,
          rate: run.rows / run.seconds,
          unit: 'rows/s',
          limit: copyLimit,
          notes: { rows: run.rows },
        });
      }
    }
  }
  // Worker threads side by side: the same load with each count of the sweep (0: all on the main thread).
  const sweepBase = runs.get(`postgres merge ${SMALL}`)!;
  for (const workers of WORKER_SWEEP) {
    const schema = `bench_${kind}_workers_${workers}`;
    log(`${label}: target-redshift postgres dialect, merge, ${SMALL} records, ${workers} workers`);
    const run = workers === DEFAULT_WORKERS ? undefined : await loadIntoWarehouse(dbs.postgres, dir, files(SMALL, 'merge'), schema, 'postgres', workers);
    const rate = run ? SMALL / run.seconds : sweepBase.rate;
    figures.push({
      name: `[${kind}] postgres merge, ${SMALL}, ${workers} workers${run ? '' : ' (the default: the run above)'}`,
      rate,
      unit: 'records/s',
      limit: bareLimit,
      goal: 0.5,
      notes: run
        ? { 'peak RSS MB': run.peakRssMb, 'warehouse busy committing': `${Math.round((100 * run.commitSeconds) / run.seconds)}%` }
        : { 'peak RSS MB': sweepBase.rss },
    });
  }
  const budget = { name: 'memory budget', rate: MEMORY_BUDGET_MB };
  // The scale figures: only for streams measured at the large size too.
  for (const mode of ['merge', 'replace'] as Mode[]) {
    if (!sizes.includes(LARGE)) break;
    const a = runs.get(`postgres ${mode} ${SMALL}`)!;
    const b = runs.get(`postgres ${mode} ${LARGE}`)!;
    figures.push({
      name: `[${kind}] postgres ${mode}: ${LARGE} records/s next to ${SMALL}`,
      rate: b.rate,
      unit: 'records/s',
      limit: { name: `same at ${SMALL}`, rate: a.rate },
      goal: FLAT_RATE,
    });
    figures.push({ name: `[${kind}] postgres ${mode}: peak RSS at ${LARGE}`, rate: b.rss, unit: 'MB', limit: budget, goal: 1, lowerIsBetter: true });
    figures.push({
      name: `[${kind}] postgres ${mode}: peak RSS ${SMALL} → ${LARGE}`,
      rate: b.rss,
      unit: 'MB',
      limit: { name: `peak RSS at ${SMALL}`, rate: a.rss },
      goal: FLAT_MEMORY,
      lowerIsBetter: true,
    });
  }

  log(`${label}: S3 staging share (parse, flatten, CSV, gzip, upload to the S3 stand-in)`);
  const staging = await s3StagingRate(kind, small, s3);
  figures.push({
    name: `[${kind}] S3 staging, target's share (no COPY)`,
    rate: staging.rate,
    unit: 'records/s',
    limit: bareLimit,
    goal: 0.5,
    notes: { 'MB/s of input': staging.mb, 'files staged': staging.files, workers: 0, 'default with S3 staging here': STAGING_DEFAULT_WORKERS },
  });
  for (const workers of [...new Set([STAGING_DEFAULT_WORKERS, ...WORKER_SWEEP])].filter((w) => w > 0).sort((a, b) => a - b)) {
    log(`${label}: S3 staging share with ${workers} workers`);
    const withWorkers = await s3StagingRateWithWorkers(kind, small, s3, workers);
    figures.push({
      name: `[${kind}] S3 staging, target's share (no COPY), ${workers} workers`,
      rate: withWorkers.rate,
      unit: 'records/s',
      limit: bareLimit,
      goal: 0.5,
      notes: { 'MB/s of input': withWorkers.mb, 'files staged': withWorkers.files, 'encoded by workers': withWorkers.encoded },
    });
  }
  // The small merge stream stays for target-s3 (the jobs stream's); the rest is removed as soon as it is measured.
  for (const size of sizes) for (const mode of ['merge', 'replace'] as Mode[]) if (files(size, mode) !== small) rmSync(files(size, mode), { force: true });
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'observes-bench-'));
  const figures: Figure[] = [];
  const started = Date.now();
  log(
    `${QUICK ? 'quick run: ' : ''}${SMALL} records (${LARGE} for ${LARGE_STREAMS.join(', ')}), streams ${STREAMS.join(', ')}; load average ${(
      await import('node:os')
    )
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  );
  try {
    const db = await createTestDatabase();
    // The redshift dialect runs on PostgreSQL under the test shim (SUPER, JSON_PARSE, Redshift's string escapes).
    const shimmed = await createTestDatabase();
    await applyRedshiftShim(shimmed);
    const s3 = await startS3Server({ buckets: ['bench'] });
    try {
      for (const kind of STREAMS) await benchStream(kind, dir, { postgres: db, redshift: shimmed }, s3, figures);

      if (STREAMS.includes('jobs')) {
        log('target-s3 next to a plain upload of the same bytes');
        const small = streamFile(dir, 'jobs', SMALL, 'merge');
        const body = readFileSync(small);
        const plain = await timed(() => s3.client.send(new PutObjectCommand({ Bucket: 'bench', Key: 'plain/jobs.jsonl', Body: body })));
        const configPath = join(dir, 's3.json');
        writeFileSync(
          configPath,
          JSON.stringify({ bucket: 'bench', prefix: 'target', endpoint: s3.s3Config.endpoint, region: s3.s3Config.region, run_id: 'bench' }),
        );
        const env = { ...process.env, AWS_ACCESS_KEY_ID: s3.s3Config.accessKeyId, AWS_SECRET_ACCESS_KEY: s3.s3Config.secretAccessKey };
        const run = await runProgram([TARGET_S3, '--config', configPath], small, env);
        const mb = statSync(small).size / 1e6;
        figures.push({
          name: '[jobs] target-s3 (gzip JSON lines)',
          rate: mb / run.seconds,
          unit: 'MB/s of input',
          limit: { name: 'plain PUT of the same bytes', rate: mb / plain },
          notes: { 'peak RSS MB': run.peakRssMb },
        });
      }
    } finally {
      await s3.stop();
      await db.drop();
      await shimmed.drop();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const minutes = (Date.now() - started) / 60_000;
  const load = (await import('node:os')).loadavg();
  const table = markdownTable(figures);
  process.stdout.write(
    `\n${table}\n\nTook ${minutes.toFixed(1)} min; load average at the end ${load.map((l) => l.toFixed(2)).join(' ')} (2 cores: above 2 means other work shared them).\n`,
  );
  const resultsDir = join(root, 'bench/results');
  const resultsFile = process.env.BENCH_RESULTS ?? 'latest.json';
  mkdirSync(resultsDir, { recursive: true });
  writeFileSync(
    join(resultsDir, resultsFile),
    JSON.stringify(
      {
        date: new Date().toISOString(),
        node: process.version,
        target: TARGET_REDSHIFT,
        small: SMALL,
        large: LARGE,
        largeStreams: LARGE_STREAMS,
        streams: STREAMS,
        minutes,
        loadAverage: load,
        figures,
      },
      null,
      2,
    ) + '\n',
  );
}

main().catch((error) => {
  process.stderr.write(`bench failed: ${(error as Error).stack ?? error}\n`);
  process.exit(1);
});
