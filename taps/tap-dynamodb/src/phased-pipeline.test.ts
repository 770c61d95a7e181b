import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { expect } from 'chai';
import { parseJsonLossless, serializeJson } from '@observes/protocol';
import { compileCoercion } from '@observes/catalogs';
import { openSchemaCache, type SchemaCache } from '@observes/catalogs/schema-cache';
import { inferToCache } from '@observes/catalogs/schema-cache-jobs';
import { logMessages } from '@observes/testkit/log-lines';
import { runNode } from '@observes/testkit/run-process';
import { createTestDatabase, type TestDatabase } from '@observes/testkit/postgres-harness';
import { startDynalite, type DynaliteServer } from '@observes/testkit/dynalite-server';
import { startS3Server, type S3Server } from '@observes/testkit/s3-server';
import { Readable } from 'node:stream';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { itemToRecord } from './attribute-value.js';
import { bigDecimal, bigNumber, loadFixtureTables } from './testing/fixture-tables.js';
import { scanSegment } from './scan-segment.js';
import { startFailingScanProxy } from './testing/failing-scan-proxy.js';

const tapBin = fileURLToPath(new URL('../bin/tap-dynamodb.js', import.meta.url));
// target-s3 is another leaf package: run through its executable only, as the pipeline does.
const targetS3Bin = fileURLToPath(new URL('../../../targets/target-s3/bin/target-s3.js', import.meta.url));
const targetRedshiftBin = fileURLToPath(new URL('../../../targets/target-redshift/bin/target-redshift.js', import.meta.url));
const observesBin = fileURLToPath(new URL('../../../runner/bin/observes.js', import.meta.url));
const runnerExample = fileURLToPath(new URL('../../../runner/examples/dynamodb.yaml', import.meta.url));
const tables = [
  { name: 'orders', items: 600 },
  { name: 'customers', items: 300 },
];
const TOTAL = 3;

// The tests of this file are the steps of one pipeline run, in order: each relies on the one before.
describe('phased DynamoDB pipeline: segments to S3, then a gated load', function () {
  let db: DynaliteServer;
  let s3: S3Server;
  let dir: string;
  let cache: SchemaCache;
  let tapConfig: string;
  let pg: TestDatabase;
  const env = () => ({
    AWS_ACCESS_KEY_ID: 'S3RVER',
    AWS_SECRET_ACCESS_KEY: 'S3RVER',
    AWS_REGION: 'us-east-1',
    AWS_ENDPOINT_URL_S3: s3.endpoint,
    OBSERVES_LOG_LEVEL: 'warn',
  });
  const manifestTemplate = 's3://observes.etl-data/dynamodb/staging/segment-{segment}/_manifests/run-1.json';
  const writeJson = (name: string, value: unknown) => {
    const path = join(dir, name);
    writeFileSync(path, JSON.stringify(value));
    return path;
  };

  /** The records of a table as one full scan gives them (widened fields as JSON text), sorted JSON lines. */
  async function fullScan(table: string): Promise<string[]> {
    const coerce = compileCoercion((await cache.read(table))!.schema) ?? ((r) => r);
    const out: string[] = [];
    for await (const page of scanSegment(db.client, { table, segment: 0, totalSegments: 1 }))
      for (const item of page.items) out.push(serializeJson(coerce(itemToRecord(item))));
    return out.sort();
  }

  /**
   * Phase 1 for one segment: `tap-dynamodb --segment i | target-s3`; kills the tap after `killAfterStates`
   * STATE lines; resumes from `state` when given.
   */
  async function runSegment(segment: number, killAfterStates?: number, state?: unknown): Promise<void> {
    const targetConfig = writeJson(`target-s3-${segment}.json`, {
      bucket: 'observes.etl-data',
      prefix: `dynamodb/staging/segment-${segment}`,
      run_id: 'run-1',
      endpoint: s3.endpoint,
    });
    const childEnv = { ...process.env, ...env() };
    const stateArgs = state === undefined ? [] : ['--state', writeJson(`state-${segment}.json`, state)];
    const tap = spawn(process.execPath, [tapBin, '--config', tapConfig, '--segment', String(segment), ...stateArgs], {
      env: childEnv,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const target = spawn(process.execPath, [targetS3Bin, '--config', targetConfig], { env: childEnv, stdio: ['pipe', 'ignore', 'pipe'] });
    let targetErrors = '';
    target.stderr.on('data', (chunk: Buffer) => (targetErrors += chunk.toString()));
    tap.stderr.resume();
    tap.stdout.pipe(target.stdin);
    let states = 0;
    if (killAfterStates !== undefined) {
      tap.stdout.on('data', (chunk: Buffer) => {
        states += chunk.toString().split('"type":"STATE"').length - 1;
        if (states >= killAfterStates) tap.kill('SIGKILL');
      });
    }
    const [tapCode, targetCode] = await Promise.all([new Promise((r) => tap.once('close', r)), new Promise((r) => target.once('close', r))]);
    if (killAfterStates === undefined) expect(tapCode, 'tap exit code').to.equal(0);
    else expect(tapCode, 'the tap was killed midway').to.equal(null);
    expect(targetCode, `target-s3 exit code: ${targetErrors}`).to.equal(0);
  }

  const check = () => runNode([tapBin, 'check-segments', '--config', tapConfig, '--manifest', manifestTemplate, '--s3-endpoint', s3.endpoint], { env: env() });

  before(async function () {
    this.timeout(60_000);
    [db, s3, pg] = await Promise.all([startDynalite(), startS3Server({ buckets: ['observes.etl-data', 'observes.cache'] }), createTestDatabase()]);
    dir = mkdtempSync(join(tmpdir(), 'dynamodb-phases-'));
    await loadFixtureTables(db.client, tables);
    // The cached-schema job, as `observes schema infer` runs it: raw JSON lines in, schemas into observes.cache.
    cache = openSchemaCache('s3://observes.cache/dynamodb/', { s3Client: s3.client });
    let raw = '';
    for (const { name } of tables) {
      for await (const page of scanSegment(db.client, { table: name, segment: 0, totalSegments: 1 })) {
        for (const item of page.items) raw += serializeJson({ stream: name, record: itemToRecord(item) }) + '\n';
      }
    }
    await inferToCache({ input: Readable.from([raw]), cache });
    tapConfig = writeJson('tap.json', {
      endpoint: db.endpoint,
      tables: tables.map((t) => t.name),
      total_segments: TOTAL,
      page_size: 10,
      schema_cache: 's3://observes.cache/dynamodb/',
      schema_cache_endpoint: s3.endpoint,
    });
  });
  after(async () => {
    await Promise.all([db?.stop(), s3?.stop(), pg?.drop()]);
    rmSync(dir, { recursive: true, force: true });
  });

  it('phase 2 refuses while a segment is missing or unfinished, listing them, and passes once it is rerun', async () => {
    await runSegment(0);
    await runSegment(2);
    const missing = await check();
    expect(missing.code).to.equal(1);
    expect(missing.stdout).to.equal('');
    expect(logMessages(missing.stderr)).to.include('phase 2 refused: 1 of 3 segments are missing or unfinished');
    expect(logMessages(missing.stderr)).to.include('segment 1: no manifest (s3://observes.etl-data/dynamodb/staging/segment-1/_manifests/run-1.json)');

    // A killed segment leaves a manifest whose state shows the scan unfinished.
    await runSegment(1, 3);
    const unfinished = await check();
    expect(unfinished.code).to.equal(1);
    expect(logMessages(unfinished.stderr)).to.match(/segment 1: scan not finished for "orders"/);

    // Resumed from that state into the same run, the segment finishes, but its files only hold the rest.
    const manifestUrl = new URL(manifestTemplate.replace('{segment}', '1'));
    const killed = JSON.parse(
      await (await s3.client.send(new GetObjectCommand({ Bucket: manifestUrl.host, Key: manifestUrl.pathname.slice(1) }))).Body!.transformToString(),
    );
    await runSegment(1, undefined, killed.state);
    const partial = await check();
    expect(partial.code).to.equal(1);
    expect(logMessages(partial.stderr)).to.match(
      /segment 1: files miss records of "orders" \(\d+ of \d+ records staged\): rerun the segment without its state/,
    );

    await runSegment(1);
    const ok = await check();
    expect(ok.code, ok.stderr).to.equal(0);
    expect(ok.stdout.trim().split('\n')).to.deep.equal([0, 1, 2].map((i) => manifestTemplate.replace('{segment}', String(i))));
  });

  it('the staged parts hold every item exactly once, every number exact, as a single full scan', async () => {
    for (const { name } of tables) {
      const staged: string[] = [];
      for (let segment = 0; segment < TOTAL; segment++) {
        const url = new URL(manifestTemplate.replace('{segment}', String(segment)));
        const manifest = JSON.parse(
          await (await s3.client.send(new GetObjectCommand({ Bucket: url.host, Key: url.pathname.slice(1) }))).Body!.transformToString(),
        ) as {
          streams: Record<string, { files: { url: string }[] }>;
        };
        for (const file of manifest.streams[name].files) {
          const fileUrl = new URL(file.url);
          const body = await s3.client.send(new GetObjectCommand({ Bucket: fileUrl.host, Key: fileUrl.pathname.slice(1) }));
          const text = gunzipSync(Buffer.from(await body.Body!.transformToByteArray())).toString('utf8');
          for (const line of text.split('\n')) if (line !== '') staged.push(serializeJson(parseJsonLossless(line)));
        }
      }
      expect(staged.sort(), name).to.deep.equal(await fullScan(name));
    }
  });

  it('phase 2 loads all parts with target-redshift --from-s3: whole tables, every item once, numbers exact', async () => {
    const combined = 's3://observes.etl-data/dynamodb/staging/_manifests/run-1.json';
    const gate = await runNode(
      [tapBin, 'check-segments', '--config', tapConfig, '--manifest', manifestTemplate, '--combined-manifest', combined, '--s3-endpoint', s3.endpoint],
      { env: env() },
    );
    expect(gate.code, gate.stderr).to.equal(0);
    expect(gate.stdout.trim()).to.equal(combined);
    const targetConfig = writeJson('target-redshift.json', {
      url: pg.url,
      dialect: 'postgres',
      schema: 'dynamodb',
      s3: { bucket: 'observes.etl-data', prefix: 'tmp', region: 'us-east-1', endpoint: s3.endpoint },
    });
    const load = await runNode([targetRedshiftBin, '--config', targetConfig, '--from-s3', gate.stdout.trim()], { env: env() });
    expect(load.code, load.stderr).to.equal(0);
    const [counts] = await pg.query<{ orders: string; customers: string }>(
      'SELECT (SELECT count(*) FROM dynamodb.orders) AS orders, (SELECT count(*) FROM dynamodb.customers) AS customers',
    );
    expect(counts).to.deep.equal({ orders: '600', customers: '300' });
    const orders = await pg.query<{ pk: string; sk: string; amount: string }>('SELECT pk, sk, amount::text AS amount FROM dynamodb.orders ORDER BY sk');
    expect(orders.map((o) => o.amount)).to.deep.equal(Array.from({ length: 600 }, (_, i) => bigNumber(i)));
    expect(new Set(orders.map((o) => `${o.pk}/${o.sk}`)).size).to.equal(600);
    const customers = await pg.query<{ balance: string }>('SELECT balance::text AS balance FROM dynamodb.customers ORDER BY id');
    expect(customers.map((c) => c.balance)).to.deep.equal(Array.from({ length: 300 }, (_, i) => bigDecimal(i)));

    // Loading again replaces the tables (a full refresh), it does not append.
    const again = await runNode([targetRedshiftBin, '--config', targetConfig, '--from-s3', gate.stdout.trim()], { env: env() });
    expect(again.code, again.stderr).to.equal(0);
    expect((await pg.query('SELECT count(*)::int AS n FROM dynamodb.orders'))[0]).to.deep.equal({ n: 600 });
  });
  it("the runner's example pipeline runs twice with `observes run`, a segment SIGKILLed midway resumes into its run's files, and the tables are the same", async function () {
    this.timeout(240_000);
    // The documented pipeline, steps and commands as they are; only the configs point at the stand-ins.
    const example = parseYaml(readFileSync(runnerExample, 'utf8')) as {
      tap: { config: Record<string, unknown> };
      target: { config: Record<string, unknown> };
      state: string;
      steps: Array<{ name: string; array_size?: number; job?: { config: Record<string, unknown> } }>;
    };
    const flaky = await startFailingScanProxy(db.endpoint, 'orders', 1, 3, 300);
    // Two copies keep it short; each one's scan flushes at every page.
    const copies = 2;
    const tap = {
      ...example.tap.config,
      endpoint: flaky.endpoint,
      tables: tables.map((t) => t.name),
      total_segments: copies,
      page_size: 60,
      schema_cache: 's3://observes.cache/dynamodb/',
      schema_cache_endpoint: s3.endpoint,
    };
    example.tap.config = tap;
    example.target.config = { ...example.target.config, endpoint: s3.endpoint, batch_max_age_seconds: 0 };
    example.state = join(dir, 'runner-state', 'dynamodb.json');
    const step = (name: string) => example.steps.find((s) => s.name === name)!;
    step('scan').array_size = copies;
    step('check').job!.config = tap;
    step('load').job!.config = {
      url: pg.url,
      dialect: 'postgres',
      schema: 'dynamodb_example',
      s3: { bucket: 'observes.etl-data', prefix: 'tmp', region: 'us-east-1', endpoint: s3.endpoint },
    };
    const file = join(dir, 'dynamodb.yaml');
    writeFileSync(file, stringifyYaml(example));
    const observes = async (run: number) => {
      const report = join(dir, `report-${run}.json`);
      const result = await runNode([observesBin, 'run', file, '--retry-delay', '0.01', '--report', report], { env: env() });
      expect(result.code, result.stderr.slice(-3000)).to.equal(0);
      return JSON.parse(readFileSync(report, 'utf8')) as {
        pipelines: Array<{ attempts: number; units: Array<{ name: string; stateFound: boolean; records: Record<string, number> }> }>;
      };
    };
    const snapshot = async () => ({
      orders: await pg.query('SELECT * FROM dynamodb_example.orders ORDER BY pk, sk'),
      customers: await pg.query('SELECT * FROM dynamodb_example.customers ORDER BY id'),
    });
    try {
      const first = await observes(1);
      expect(flaky.killed, 'the tap of segment 1 was SIGKILLed midway').to.have.length(1);
      const resumed = first.pipelines[0].units.find((u) => u.name === 'dynamodb.scan.1')!;
      expect(first.pipelines[0].attempts, JSON.stringify(first.pipelines[0].units.map((u) => [u.name, u.stateFound, u.records]))).to.equal(2);
      expect(resumed.stateFound, 'the retry resumed from the committed state').to.equal(true);
      expect(
        Object.values(resumed.records).reduce((a, b) => a + b, 0),
        'only the rest was scanned again',
      ).to.be.below(450);
      const once = await snapshot();
      expect([once.orders.length, once.customers.length]).to.deep.equal([600, 300]);
      await observes(2);
      expect(await snapshot()).to.deep.equal(once);
    } finally {
      await flaky.close();
    }
  });
});
