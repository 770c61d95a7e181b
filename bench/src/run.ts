/**
 * `npm run bench`: throughput and memory of Observes next to the limits of the same machine and data.
 * Prints a markdown table and writes bench/results/latest.json. Not part of `npm test`.
 */
import { execFileSync } from 'node:child_process';
import { createReadStream, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { readMessageBatches, StreamChecker, type RecordMessage } from '@observes/protocol';
import { readLineBatches } from '@observes/protocol/line-reader';
import { planStream, RecordFlattener, type Row } from '@observes/target-core';
import { csvChunks } from '@observes/target-redshift/csv-rows';
import { createTestDatabase, startS3Server, type TestDatabase } from '@observes/testkit';
import { JOBS_SCHEMA, writeJobsStream } from './generate-stream.js';
import { markdownTable, runProgram, timed, type Figure } from './measure.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const TARGET_REDSHIFT = join(root, 'targets/target-redshift/bin/target-redshift.js');
const TARGET_S3 = join(root, 'targets/target-s3/bin/target-s3.js');
const SMALL = Number(process.env.BENCH_SMALL ?? 200_000);
const LARGE = Number(process.env.BENCH_LARGE ?? 1_000_000);
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
  const lines = readFileSync(path, 'utf8').split('\n').filter((l) => l.length > 0);
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

function flattenRate(records: RecordMessage[]): { rate: number; rows: number } {
  const plan = planStream('jobs', JOBS_SCHEMA, ['id']);
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
  const tables = await db.query<{ table_name: string }>(`SELECT table_name FROM information_schema.tables WHERE table_schema = $1 AND table_name LIKE 'jobs%'`, [schema]);
  let rows = 0;
  for (const { table_name } of tables) rows += Number((await db.query<{ n: string }>(`SELECT count(*) AS n FROM "${schema}"."${table_name}"`))[0].n);
  return rows;
}

async function loadIntoWarehouse(db: TestDatabase, dir: string, stream: string, schema: string, dialect: 'postgres' | 'redshift') {
  const configPath = join(dir, `${schema}.json`);
  writeFileSync(configPath, JSON.stringify({ url: db.url, schema, dialect, batch_size_rows: 50_000 }));
  const run = await runProgram([TARGET_REDSHIFT, '--config', configPath], stream);
  return { ...run, rows: await countRows(db, schema) };
}

/**
 * psql `\copy` of the same flattened rows the target loaded, as the same CSV text it streams (target-core's
 * flattening, target-redshift's CSV cells), into the same tables emptied: the bound of any PostgreSQL loader.
 */
async function rawCopyRate(db: TestDatabase, dir: string, path: string, schema: string): Promise<{ rate: number; rows: number }> {
  const plan = planStream('jobs', JOBS_SCHEMA, ['id']);
  const flattener = new RecordFlattener(plan);
  const rows: Row[][] = plan.tables.map(() => []);
  for await (const batch of readMessageBatches(createReadStream(path))) {
    for (const { message } of batch) if (message.type === 'RECORD') flattener.flatten(message.record, {}, rows);
  }
  const files = plan.tables.map((table, t) => {
    const file = join(dir, `${table.name}.csv`);
    writeFileSync(file, [...csvChunks(rows[t])].join(''));
    return { table: table.name, columns: table.columns.map((c) => `"${c.name}"`).join(', '), file };
  });
  const count = rows.reduce((n, t) => n + t.length, 0);
  rows.length = 0;
  for (const { table } of files) await db.query(`TRUNCATE "${schema}"."${table}"`);
  const seconds = await timed(() => {
    for (const { table, columns, file } of files) execFileSync('psql', [db.url, '-q', '-c', `\\copy "${schema}"."${table}" (${columns}) FROM '${file}' WITH (FORMAT csv, NULL '\\N')`]);
  });
  const loaded = await countRows(db, schema);
  if (loaded !== count) throw new Error(`raw COPY loaded ${loaded} rows, expected ${count}`);
  return { rate: count / seconds, rows: count };
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'observes-bench-'));
  const figures: Figure[] = [];
  try {
    log(`generating ${SMALL} and ${LARGE} record streams in ${dir}`);
    const small = join(dir, 'jobs-small.jsonl');
    const smallReplace = join(dir, 'jobs-small-replace.jsonl');
    const large = join(dir, 'jobs-large.jsonl');
    const smallBytes = await writeJobsStream(small, SMALL);
    await writeJobsStream(smallReplace, SMALL, { version: Date.UTC(2026, 10, 1) });
    await writeJobsStream(large, LARGE);
    log(`small stream: ${(smallBytes / 1e6).toFixed(1)} MB, ${Math.round(smallBytes / SMALL)} bytes per line`);

    log('bare JSON.parse and read + parse + validate');
    const bare = bareParse(small);
    const bareLimit = { name: 'bare JSON.parse, 1 thread', rate: bare.rate };
    figures.push({ name: 'bare JSON.parse', rate: bare.rate, unit: 'lines/s' });
    figures.push({ name: 'read + split lines, no parse (protocol)', rate: await readLines(small), unit: 'lines/s', limit: bareLimit });
    figures.push({ name: 'read + parse + validate (protocol)', rate: await readAndValidate(small), unit: 'msgs/s', limit: bareLimit, goal: 0.7 });

    log('flattening');
    const flat = flattenRate(bare.records);
    figures.push({ name: 'flatten (target-core)', rate: flat.rate, unit: 'records/s', limit: bareLimit, notes: { 'rows per record': flat.rows / bare.records.length } });
    bare.records.length = 0;

    const db = await createTestDatabase();
    try {
      let copyLimit: { name: string; rate: number } | undefined;
      for (const dialect of ['postgres', 'redshift'] as const) {
        for (const mode of ['merge', 'replace'] as const) {
          log(`target-redshift ${dialect} dialect, ${mode}, ${SMALL} records`);
          const schema = `bench_${dialect}_${mode}`;
          const run = await loadIntoWarehouse(db, dir, mode === 'merge' ? small : smallReplace, schema, dialect);
          if (dialect === 'postgres' && mode === 'merge') {
            log('raw psql \\copy of the same flattened rows');
            const raw = await rawCopyRate(db, dir, small, schema);
            if (raw.rows !== run.rows) throw new Error(`raw COPY has ${raw.rows} rows, the target loaded ${run.rows}`);
            copyLimit = { name: 'psql \\copy of the flattened rows', rate: raw.rate };
            figures.push({ name: 'raw COPY (psql \\copy)', rate: raw.rate, unit: 'rows/s', notes: { rows: raw.rows } });
          }
          figures.push({ name: `target-redshift ${dialect} ${mode}: records`, rate: SMALL / run.seconds, unit: 'records/s', limit: bareLimit, goal: dialect === 'postgres' ? 0.5 : undefined, notes: { 'peak RSS MB': run.peakRssMb } });
          figures.push({ name: `target-redshift ${dialect} ${mode}: rows incl. children`, rate: run.rows / run.seconds, unit: 'rows/s', limit: copyLimit, notes: { rows: run.rows } });
        }
      }
      // The same settings at 5 times the records: memory must not grow with the stream.
      log(`target-redshift postgres merge, ${LARGE} records (memory)`);
      const big = await loadIntoWarehouse(db, dir, large, 'bench_large', 'postgres');
      const smallRun = figures.find((f) => f.name === 'target-redshift postgres merge: records')!;
      const smallRss = smallRun.notes!['peak RSS MB'] as number;
      const budget = { name: 'memory budget', rate: MEMORY_BUDGET_MB };
      figures.push({ name: `target-redshift peak RSS, ${SMALL} records`, rate: smallRss, unit: 'MB', limit: budget, goal: 1, lowerIsBetter: true });
      figures.push({ name: `target-redshift peak RSS, ${LARGE} records`, rate: big.peakRssMb, unit: 'MB', limit: budget, goal: 1, lowerIsBetter: true });
      figures.push({ name: `peak RSS growth ${SMALL} → ${LARGE} records`, rate: big.peakRssMb, unit: 'MB', limit: { name: `peak RSS at ${SMALL}`, rate: smallRss }, goal: FLAT_MEMORY, lowerIsBetter: true });
      figures.push({ name: `target-redshift postgres merge, ${LARGE} records`, rate: LARGE / big.seconds, unit: 'records/s', limit: { name: `same at ${SMALL}`, rate: smallRun.rate }, notes: { rows: big.rows } });
    } finally {
      await db.drop();
    }

    log('target-s3 next to a plain upload of the same bytes');
    const s3 = await startS3Server({ buckets: ['bench'] });
    try {
      const body = readFileSync(small);
      const plain = await timed(() => s3.client.send(new PutObjectCommand({ Bucket: 'bench', Key: 'plain/jobs.jsonl', Body: body })));
      const configPath = join(dir, 's3.json');
      writeFileSync(configPath, JSON.stringify({ bucket: 'bench', prefix: 'target', endpoint: s3.s3Config.endpoint, region: s3.s3Config.region, run_id: 'bench' }));
      const env = { ...process.env, AWS_ACCESS_KEY_ID: s3.s3Config.accessKeyId, AWS_SECRET_ACCESS_KEY: s3.s3Config.secretAccessKey };
      const run = await runProgram([TARGET_S3, '--config', configPath], small, env);
      const mb = statSync(small).size / 1e6;
      figures.push({ name: 'target-s3 (gzip JSON lines)', rate: mb / run.seconds, unit: 'MB/s of input', limit: { name: 'plain PUT of the same bytes', rate: mb / plain }, notes: { 'peak RSS MB': run.peakRssMb } });
    } finally {
      await s3.stop();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const table = markdownTable(figures);
  process.stdout.write(`\n${table}\n`);
  const resultsDir = join(root, 'bench/results');
  mkdirSync(resultsDir, { recursive: true });
  writeFileSync(join(resultsDir, 'latest.json'), JSON.stringify({ date: new Date().toISOString(), node: process.version, small: SMALL, large: LARGE, figures }, null, 2) + '\n');
}

main().catch((error) => {
  process.stderr.write(`bench failed: ${(error as Error).stack ?? error}\n`);
  process.exit(1);
});
