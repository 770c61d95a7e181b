import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { createLogger, readMessages, serializeJson, StreamChecker, type Message } from '@observes/protocol';
import { compileCoercion, SchemaInferrer } from '@observes/catalogs';
import { openSchemaCache, type SchemaCache } from '@observes/catalogs/schema-cache';
import { logMessages } from '@observes/testkit/log-lines';
import { runNode } from '@observes/testkit/run-process';
import { startDynalite, type DynaliteServer } from '@observes/testkit/dynalite-server';
import { itemToRecord } from './attribute-value.js';
import { runDynamoTap } from './dynamodb-tap.js';
import { bigNumber, FIXTURE_TABLES, loadFixtureTables } from './testing/fixture-tables.js';
import { scanSegment } from './scan-segment.js';
import { configSchema, type DynamoTapConfig } from './tap-config.js';

const bin = fileURLToPath(new URL('../bin/tap-dynamodb.js', import.meta.url));
const quiet = createLogger({ name: 'tap-dynamodb-test', write: () => undefined });
const tables = FIXTURE_TABLES.map((t) => t.name);

class Sink extends Writable {
  text = '';
  override _write(chunk: Buffer, _encoding: BufferEncoding, done: () => void): void {
    this.text += chunk.toString('utf8');
    done();
  }
}

/** What a run wrote, checked as a Singer stream: records per table as sorted JSON lines. */
interface Output {
  records: Map<string, string[]>;
  messages: Message[];
  lastState: any;
}

async function parseOutput(text: string): Promise<Output> {
  const checker = new StreamChecker();
  const records = new Map<string, string[]>();
  const messages: Message[] = [];
  let lastState: unknown;
  for await (const read of readMessages(Readable.from([text]))) {
    checker.check(read);
    messages.push(read.message);
    if (read.message.type === 'RECORD') {
      const list = records.get(read.message.stream) ?? [];
      list.push(serializeJson(read.message.record));
      records.set(read.message.stream, list);
    }
    if (read.message.type === 'STATE') lastState = read.message.value;
  }
  for (const list of records.values()) list.sort();
  return { records, messages, lastState };
}

function defaults(config: Partial<DynamoTapConfig>): DynamoTapConfig {
  const out: Record<string, unknown> = {};
  for (const [key, schema] of Object.entries(configSchema.properties!)) if (schema.default !== undefined) out[key] = schema.default;
  return { ...out, ...config } as DynamoTapConfig;
}

describe('tap-dynamodb against dynalite (20,000 items)', function () {
  let db: DynaliteServer;
  let dir: string;
  let cache: SchemaCache;
  let baseline: Output;
  const env = () => ({ AWS_ACCESS_KEY_ID: 'dynalite', AWS_SECRET_ACCESS_KEY: 'dynalite', AWS_REGION: 'us-east-1', OBSERVES_LOG_LEVEL: 'warn' });
  const writeJson = (name: string, value: unknown) => {
    const path = join(dir, name);
    writeFileSync(path, JSON.stringify(value));
    return path;
  };
  const cliConfig = (config: Partial<DynamoTapConfig>) =>
    writeJson(`config-${Math.random()}.json`, { endpoint: db.endpoint, schema_cache: cache.url, ...config });
  const run = (config: Partial<DynamoTapConfig>, extra: Partial<Parameters<typeof runDynamoTap>[0]> = {}) => {
    const sink = new Sink();
    return runDynamoTap({
      config: defaults({ tables, schema_cache: cache.url, ...config }),
      schemaCache: cache,
      client: db.client,
      output: sink,
      logger: quiet,
      ...extra,
    }).then(async (state) => ({ ...(await parseOutput(sink.text)), state: state as any }));
  };
  /** Records of one segment, read straight from DynamoDB (with the widened fields as JSON text, like the tap). */
  async function segmentRecords(table: string, segment: number, totalSegments: number): Promise<string[]> {
    const coerce = compileCoercion((await cache.read(table))!.schema) ?? ((record) => record);
    const out: string[] = [];
    for await (const page of scanSegment(db.client, { table, segment, totalSegments }))
      for (const item of page.items) out.push(serializeJson(coerce(itemToRecord(item))));
    return out.sort();
  }

  before(async function () {
    this.timeout(120_000);
    db = await startDynalite();
    dir = mkdtempSync(join(tmpdir(), 'tap-dynamodb-'));
    cache = openSchemaCache(join(dir, 'cache'));
    await loadFixtureTables(db.client);
    // The cached-schema job: infer each table's schema from its items and save it.
    for (const table of tables) {
      const inferrer = new SchemaInferrer();
      for await (const page of scanSegment(db.client, { table, segment: 0, totalSegments: 1 }))
        for (const item of page.items) inferrer.observe(itemToRecord(item));
      await cache.write({ type: 'SCHEMA', stream: table, schema: inferrer.schema(), key_properties: [] });
    }
  });
  after(async () => {
    await db?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a single full scan emits every item once, with its key, every number exact', async () => {
    baseline = await run({ total_segments: 1 });
    for (const { name, items } of FIXTURE_TABLES) {
      expect(baseline.records.get(name), name).to.have.length(items);
      expect(new Set(baseline.records.get(name)).size, `${name}: distinct records`).to.equal(items);
    }
    const schemas = baseline.messages.filter((m) => m.type === 'SCHEMA');
    expect(schemas.map((m) => [m.stream, m.key_properties])).to.deep.equal([
      ['orders', ['pk', 'sk']],
      ['customers', ['id']],
      ['blobs', ['key']],
    ]);
    const order = JSON.parse(
      baseline.records
        .get('orders')!
        .find((r) => r.includes('"sk":10001,'))!
        .replace(/("amount":)(-?\d+)/, '$1"$2"'),
    );
    expect(order.amount).to.equal(bigNumber(10001));
    expect(baseline.records.get('orders')!.every((r) => /"amount":-?\d{38},/.test(r))).to.equal(true);
  });

  it('parallel segments in one process emit the same records, each table activated once', async () => {
    const parallel = await run({ total_segments: 5, concurrency: 5, page_size: 500 });
    for (const table of tables) expect(parallel.records.get(table), table).to.deep.equal(baseline.records.get(table));
    const activations = parallel.messages.filter((m) => m.type === 'ACTIVATE_VERSION');
    expect(activations.map((m) => m.stream)).to.deep.equal(tables);
    for (const { name, items } of FIXTURE_TABLES) {
      const segments = Object.values(parallel.state.bookmarks[name].segments) as { done: boolean; records: number }[];
      expect(segments.map((s) => s.done)).to.deep.equal([true, true, true, true, true]);
      expect(
        segments.reduce((sum, s) => sum + s.records, 0),
        `${name}: records counted in the state`,
      ).to.equal(items);
    }
    expect(parallel.messages.at(-1)?.type).to.equal('STATE');
  });

  it('one segment per process (--segment, AWS_BATCH_JOB_ARRAY_INDEX) emits the same records in total', async () => {
    const config = cliConfig({ tables, total_segments: 3 });
    const runs = await Promise.all([
      runNode([bin, '--config', config, '--segment', '0'], { env: env() }),
      runNode([bin, '--config', config, '--segment', '1'], { env: env() }),
      runNode([bin, '--config', config], { env: { ...env(), AWS_BATCH_JOB_ARRAY_INDEX: '2' } }),
    ]);
    const outputs = [];
    for (const result of runs) {
      expect(result.code, result.stderr).to.equal(0);
      outputs.push(await parseOutput(result.stdout));
    }
    for (const table of tables) {
      const union = outputs.flatMap((o) => o.records.get(table) ?? []).sort();
      expect(union, table).to.deep.equal(baseline.records.get(table));
    }
    // The swap belongs to phase 2: a segment job never activates a version.
    expect(outputs.flatMap((o) => o.messages).some((m) => m.type === 'ACTIVATE_VERSION')).to.equal(false);
    expect(outputs[2].lastState.bookmarks.orders.segments).to.deep.equal({ '2': { done: true, records: outputs[2].records.get('orders')!.length } });
  });

  it('resumes a killed segment after its last STATE: every item exactly once', async () => {
    const config = cliConfig({ tables: ['orders'], total_segments: 3, page_size: 50 });
    const child = spawn(process.execPath, [bin, '--config', config, '--segment', '1'], {
      env: { ...process.env, ...env() },
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    let text = '';
    let states = 0;
    child.stdout.on('data', (chunk: Buffer) => {
      text += chunk.toString('utf8');
      states = text.split('"type":"STATE"').length - 1;
      if (states >= 5) child.kill('SIGKILL');
    });
    await new Promise((resolve) => child.once('close', resolve));
    expect(states, 'the run was killed midway').to.be.greaterThanOrEqual(5);
    // What the target committed: the complete lines up to the last STATE.
    const lines = text.slice(0, text.lastIndexOf('\n')).split('\n');
    const committed = lines.slice(0, lines.findLastIndex((l) => l.includes('"type":"STATE"')) + 1);
    const beforeKill = await parseOutput(committed.join('\n') + '\n');
    expect(beforeKill.lastState.bookmarks.orders.segments['1'].last_evaluated_key).to.be.an('object');

    const resumed = await runNode([bin, '--config', config, '--segment', '1', '--state', writeJson('state.json', beforeKill.lastState)], { env: env() });
    expect(resumed.code, resumed.stderr).to.equal(0);
    const after = await parseOutput(resumed.stdout);
    const all = [...beforeKill.records.get('orders')!, ...after.records.get('orders')!].sort();
    expect(beforeKill.records.get('orders')!.length).to.be.greaterThan(0);
    expect(all).to.deep.equal(await segmentRecords('orders', 1, 3));
    // The count in the state spans both runs: the whole segment.
    expect(after.lastState.bookmarks.orders.segments['1']).to.deep.equal({ done: true, records: all.length });
  });

  it('never ends a scan on an empty page', async () => {
    let emptyWithMore = 0;
    let items = 0;
    const pages = scanSegment(db.client, {
      table: 'orders',
      segment: 0,
      totalSegments: 1,
      pageSize: 100,
      scan: { FilterExpression: 'sk < :n', ExpressionAttributeValues: { ':n': { N: '40' } } },
    });
    for await (const page of pages) {
      items += page.items.length;
      if (page.items.length === 0 && page.lastEvaluatedKey) emptyWithMore++;
    }
    expect(emptyWithMore, 'empty pages with a LastEvaluatedKey').to.be.greaterThan(10);
    expect(items).to.equal(40);
  });

  it('fails naming the table and the field when an item does not fit the cached schema', async () => {
    const stale = openSchemaCache(join(dir, 'stale-cache'));
    const current = (await cache.read('customers'))!;
    await stale.write({ ...current, schema: { ...current.schema, properties: { ...current.schema.properties, name: { type: 'integer' } } } });
    let error: Error | undefined;
    await run({ tables: ['customers'], total_segments: 1 }, { schemaCache: stale }).catch((e: Error) => (error = e));
    expect(error?.message).to.match(
      /table "customers" segment 0: item \{"id":\d+\} does not fit the cached schema \(record breaks its schema at \/name: must be integer\)/,
    );
  });

  it('refuses a table without cached schema, naming where it looked', async () => {
    const result = await runNode([bin, '--config', cliConfig({ tables: ['orders'], schema_cache: `file://${join(dir, 'empty-cache')}` })], { env: env() });
    expect(result.code).to.equal(1);
    expect(logMessages(result.stderr)).to.include(`no cached schema for table "orders" at file://${join(dir, 'empty-cache')}/orders.json`);
    expect(result.stdout).to.equal('');
  });
});
