import { readFileSync } from 'node:fs';
import { applySelection, buildCatalog, type Catalog } from '@observes/catalogs';
import { createLogger, parseJsonLossless } from '@observes/protocol';
import { packageVersion, standaloneTapCli } from '@observes/tap-sdk/standalone-cli';
import type { S3Manifest } from '@observes/target-core';
import { createS3Client } from '@observes/state';
import { openSchemaCache } from '@observes/catalogs/schema-cache';
import { createDynamoClient, runDynamoTap, tableSchema } from './dynamodb-tap.js';
import { chooseSegments, loadTapConfig } from './load-config.js';
import { checkSegmentManifests, combineSegmentManifests, writeManifest } from './segment-manifests.js';
import { configSchema } from './tap-config.js';

const logger = createLogger({ name: 'tap-dynamodb' });
const version = packageVersion(new URL('../package.json', import.meta.url));

function readJsonFile(path: string, what: string): unknown {
  try {
    return parseJsonLossless(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new Error(`cannot read ${what} file ${path}: ${(error as Error).message}`);
  }
}

/** Exit codes: 0 success, 1 failure (bad state or data, DynamoDB errors), 2 usage or config error (or a request DynamoDB refuses). */
await standaloneTapCli({
  name: 'tap-dynamodb',
  version,
  about: { description: 'DynamoDB tables by parallel segment scans', settings: configSchema, capabilities: ['discover', 'catalog', 'state', 'about'] },
})
  .usage(
    '$0 --config config.json [--state state.json] [--segment N --total-segments M]\n\nScans DynamoDB tables in parallel segments into Singer messages, with schemas from the schema cache.',
  )
  .option('config', { type: 'string', describe: 'JSON config file (settings may also come from TAP_DYNAMODB_<SETTING>)' })
  .option('state', { type: 'string', describe: 'State file to resume from' })
  .option('catalog', { type: 'string', describe: 'Catalog file: only its selected tables are extracted' })
  .option('properties', { type: 'string', describe: 'Older name of --catalog', hidden: true })
  .option('discover', { type: 'boolean', default: false, describe: 'Print the catalog (schemas from the cache, keys from DynamoDB) and exit' })
  .option('segment', {
    type: 'number',
    describe: 'Scan only this segment (default: config segment, OBSERVES_ARRAY_INDEX, AWS_BATCH_JOB_ARRAY_INDEX, else every segment)',
  })
  .option('total-segments', { type: 'number', describe: 'Number of segments (default: config total_segments, OBSERVES_ARRAY_SIZE, else 1)' })
  // A string (not a throw) makes yargs report a usage error, exit 2.
  .check((args) => {
    for (const name of ['segment', 'total-segments'] as const) {
      const value = args[name];
      if (value !== undefined && (!Number.isInteger(value) || value < 0)) return `--${name} must be a whole number, got ${value}`;
    }
    return args['total-segments'] === 0 ? '--total-segments must be at least 1' : true;
  })
  .command(
    'check-segments',
    "Phase 2's gate: check every segment's target-s3 manifest shows a finished scan and print their URLs (or write and print one combined manifest); else list the missing ones and exit 1",
    (y) =>
      y
        .option('manifest', {
          type: 'string',
          demandOption: true,
          describe: 'Manifest URL with {segment}, e.g. s3://observes.etl-data/dynamodb/segment-{segment}/_manifests/<run>.json',
        })
        .option('combined-manifest', {
          type: 'string',
          describe: 'Once complete, write one manifest of every segment here (s3://…), for target-redshift --from-s3',
        })
        .option('s3-endpoint', { type: 'string', describe: 'S3 endpoint (default: OBSERVES_S3_ENDPOINT, AWS_ENDPOINT_URL_S3, AWS_ENDPOINT_URL, else AWS)' }),
    async (args) => {
      const config = loadTapConfig(args.config);
      const { totalSegments } = chooseSegments(config, { totalSegments: args['total-segments'] });
      const s3 = createS3Client({ endpoint: args['s3-endpoint'], region: config.region });
      try {
        const { manifests, missing, documents } = await checkSegmentManifests(s3, args.manifest, totalSegments, config.tables);
        if (missing.length > 0) {
          const lines = missing.map((m) => `  segment ${m.segment}: ${m.reason} (${m.url})`);
          throw new Error(`phase 2 refused: ${missing.length} of ${totalSegments} segments are missing or unfinished; rerun them:\n${lines.join('\n')}`);
        }
        const combinedUrl = args['combined-manifest'];
        if (combinedUrl) {
          const now = new Date();
          const runId = combinedUrl.slice(combinedUrl.lastIndexOf('/') + 1).replace(/\.json$/, '');
          await writeManifest(
            s3,
            combinedUrl,
            combineSegmentManifests(documents as S3Manifest[], { runId, version: now.getTime(), createdAt: now.toISOString() }),
          );
        }
        // What the next step loads: the combined manifest, else every segment's.
        process.stdout.write((combinedUrl ? [combinedUrl] : manifests).join('\n') + '\n');
      } finally {
        s3.destroy();
      }
    },
  )
  .command(
    '$0',
    false,
    () => {},
    async (args) => {
      const config = loadTapConfig(args.config);
      const { segment, totalSegments } = chooseSegments(config, { segment: args.segment, totalSegments: args['total-segments'] });
      config.total_segments = totalSegments;
      const schemaCache = openSchemaCache(config.schema_cache, { endpoint: config.schema_cache_endpoint });
      const client = createDynamoClient(config);
      try {
        if (args.discover) {
          const streams = [];
          for (const table of config.tables) {
            const schema = await tableSchema(client, schemaCache, table);
            streams.push({ name: table, schema: schema.schema, keyProperties: schema.key_properties });
          }
          process.stdout.write(JSON.stringify(buildCatalog(streams), null, 2) + '\n');
          return;
        }
        const catalogPath = args.catalog ?? args.properties;
        const selected = catalogPath ? applySelection(readJsonFile(catalogPath, 'catalog') as Catalog) : undefined;
        await runDynamoTap({
          config,
          state: args.state ? readJsonFile(args.state, 'state') : undefined,
          segment,
          tables: selected ? config.tables.filter((t) => selected.has(t)) : undefined,
          schemaCache,
          client,
          output: process.stdout,
          logger,
        });
      } finally {
        client.destroy();
      }
    },
  )
  .parseAsync();
