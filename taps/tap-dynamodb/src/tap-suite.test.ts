import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SchemaInferrer } from '@observes/catalogs';
import { openSchemaCache } from '@observes/catalogs/schema-cache';
import { startDynalite, tapSuite, type DynaliteServer } from '@observes/testkit';
import { itemToRecord } from './attribute-value.js';
import { loadFixtureTables } from './testing/fixture-tables.js';
import { scanSegment } from './scan-segment.js';

let db: DynaliteServer;
let dir: string;
const tables = [
  { name: 'customers', items: 300 },
  { name: 'orders', items: 200 },
];

tapSuite({
  name: 'tap-dynamodb',
  bin: fileURLToPath(new URL('../bin/tap-dynamodb.js', import.meta.url)),
  async setup() {
    db = await startDynalite();
    dir = mkdtempSync(join(tmpdir(), 'tap-dynamodb-suite-'));
    await loadFixtureTables(db.client, tables);
    const cache = openSchemaCache(join(dir, 'cache'));
    for (const { name } of tables) {
      const inferrer = new SchemaInferrer();
      for await (const page of scanSegment(db.client, { table: name, segment: 0, totalSegments: 1 }))
        for (const item of page.items) inferrer.observe(itemToRecord(item));
      await cache.write({ type: 'SCHEMA', stream: name, schema: inferrer.schema(), key_properties: [] });
    }
  },
  async teardown() {
    await db?.stop();
    rmSync(dir, { recursive: true, force: true });
  },
  config: () => ({
    region: 'us-east-1',
    endpoint: db.endpoint,
    tables: tables.map((t) => t.name),
    total_segments: 2,
    page_size: 50,
    schema_cache: `file://${join(dir, 'cache')}`,
  }),
  env: () => ({ AWS_ACCESS_KEY_ID: 'dynalite', AWS_SECRET_ACCESS_KEY: 'dynalite' }),
});
