import type { Writable } from 'node:stream';
import { DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { formatMessage, logMetric, MessageWriter, RecordValidator, serializeJson, type Logger, type SchemaMessage } from '@observes/protocol';
import type { SchemaCache } from '@observes/catalogs/schema-cache';
import { compileCoercion } from '@observes/catalogs';
import { AWS_TIMEOUTS, awsClientDefaults, nameTimeouts, type AwsTimeouts } from '@observes/state';
import pLimit from 'p-limit';
import { itemToRecord } from './attribute-value.js';
import { keyFromState, keyToState } from './scan-key.js';
import { scanSegment } from './scan-segment.js';
import { planTable, type TableBookmark } from './scan-state.js';
import type { DynamoTapConfig } from './tap-config.js';

/** Options of {@link runDynamoTap}. */
export interface DynamoTapOptions {
  /** Validated config (see `configSchema`). */
  config: DynamoTapConfig;
  /** The state to resume from (`{"bookmarks": {<table>: TableBookmark}}`); default none. */
  state?: unknown;
  /**
   * Run only this segment (a Batch array job's index), for a phased pipeline: no ACTIVATE_VERSION is
   * emitted, phase 2 swaps the tables in. Default: every segment, `config.concurrency` at a time.
   */
  segment?: number;
  /** Tables to extract, default `config.tables` (a catalog's selection). */
  tables?: string[];
  /** Where each table's schema is; required. */
  schemaCache: SchemaCache;
  /** DynamoDB client; default one built from `config.region` and `config.endpoint`. */
  client?: DynamoDBClient;
  /** Where Singer messages go (stdout). */
  output: Writable;
  logger: Logger;
  /** Clock for table versions; default `Date.now`. */
  now?: () => number;
}

/** The key attributes of a table, hash key first. */
async function keyProperties(client: DynamoDBClient, table: string): Promise<string[]> {
  const { Table } = await client.send(new DescribeTableCommand({ TableName: table }));
  const keys = Table?.KeySchema ?? [];
  return [...keys].sort((a, b) => (a.KeyType === 'HASH' ? -1 : b.KeyType === 'HASH' ? 1 : 0)).map((k) => k.AttributeName!);
}

/** The table's SCHEMA message: the cached schema with the table's real key. */
export async function tableSchema(client: DynamoDBClient, cache: SchemaCache, table: string): Promise<SchemaMessage> {
  const cached = await cache.read(table);
  if (!cached)
    throw new Error(`no cached schema for table ${JSON.stringify(table)} at ${cache.location(table)}: fill the cache with \`observes schema infer\``);
  return { type: 'SCHEMA', stream: table, schema: cached.schema, key_properties: await keyProperties(client, table) };
}

/**
 * A DynamoDB client for the config's region and endpoint; credentials come from the usual AWS chain.
 * `timeouts` (default {@link AWS_TIMEOUTS}) make a server that accepts and never answers an error naming it.
 */
export function createDynamoClient(config: Pick<DynamoTapConfig, 'region' | 'endpoint'>, timeouts: AwsTimeouts = AWS_TIMEOUTS): DynamoDBClient {
  const client = new DynamoDBClient({
    ...awsClientDefaults(timeouts),
    region: config.region ?? process.env.AWS_REGION ?? 'us-east-1',
    ...(config.endpoint ? { endpoint: config.endpoint } : {}),
  });
  return nameTimeouts(client, 'DynamoDB');
}

/**
 * tap-dynamodb: scans each table in `total_segments` parallel segments and writes SCHEMA (from the
 * schema cache), RECORD and STATE messages. After each page it writes the page's records, then a STATE
 * whose `bookmarks.<table>.segments.<i>` holds the page's `last_evaluated_key` (or `done: true`), so a
 * killed run resumes each segment after its last page. A whole-table run tags records with a table
 * version and ends each table with ACTIVATE_VERSION.
 * @returns the state after the run
 */
export async function runDynamoTap(options: DynamoTapOptions): Promise<Record<string, unknown>> {
  const { config, logger } = options;
  const client = options.client ?? createDynamoClient(config);
  const out = new MessageWriter(options.output);
  const now = options.now ?? Date.now;
  const validator = new RecordValidator();
  const limit = pLimit(config.concurrency);
  if (options.state !== undefined && (typeof options.state !== 'object' || options.state === null || Array.isArray(options.state))) {
    throw new Error('the state must be a JSON object ({"bookmarks": {...}})');
  }
  const state = structuredClone((options.state ?? {}) as Record<string, unknown>);
  const bookmarks = (state.bookmarks ??= {}) as Record<string, TableBookmark>;
  const whole = options.segment === undefined;
  const totalSegments = config.total_segments ?? 1;
  if (!whole && (options.segment! < 0 || options.segment! >= totalSegments)) {
    throw new Error(`segment ${options.segment} is out of range: the table is scanned in ${totalSegments} segments (0 to ${totalSegments - 1})`);
  }
  const segments = whole ? Array.from({ length: totalSegments }, (_, i) => i) : [options.segment!];
  try {
    for (const table of options.tables ?? config.tables) {
      const schema = await tableSchema(client, options.schemaCache, table);
      const check = validator.compile(schema.schema);
      // Where schema inference widened mixed kinds to string, values are written as their JSON text, as tap-json does.
      const coerce = compileCoercion(schema.schema);
      await out.write(schema);
      const plan = planTable(bookmarks[table], totalSegments, segments);
      const bookmark = plan.bookmark;
      if (whole) bookmark.version = plan.fresh || bookmark.version === undefined ? now() : bookmark.version;
      bookmarks[table] = bookmark;
      const log = logger.child({ table });
      log.info(plan.fresh ? 'scan starts' : 'scan resumes', { segments, total_segments: totalSegments, version: bookmark.version });

      // Once a segment fails, the others stop at their next page instead of writing on.
      let failed = false;
      await Promise.all(
        plan.plans
          .filter((p) => !p.skip)
          .map((p) =>
            limit(async () => {
              if (failed) return;
              const segmentLog = log.child({ segment: p.segment });
              let records = 0;
              let scanned = p.records;
              const pages = scanSegment(client, {
                table,
                segment: p.segment,
                totalSegments,
                pageSize: config.page_size,
                startKey: p.startKey && keyFromState(p.startKey),
                retry: {
                  retries: config.max_throttle_retries,
                  onRetry: (attempt, delayMs) => segmentLog.warn('throttled, retrying', { attempt, delay_ms: delayMs }),
                },
              });
              try {
                for await (const page of pages) {
                  if (failed) return;
                  // One write per page: its records, then the STATE covering them.
                  let text = '';
                  for (const item of page.items) {
                    const record = coerce ? coerce(itemToRecord(item)) : itemToRecord(item);
                    const problem = check(record);
                    if (problem) {
                      const key = serializeJson(Object.fromEntries(schema.key_properties.map((k) => [k, record[k]])));
                      throw new Error(
                        `table ${JSON.stringify(table)} segment ${p.segment}: item ${key} does not fit the cached schema (${problem}); refresh it with \`observes schema infer\``,
                      );
                    }
                    text += formatMessage({ type: 'RECORD', stream: table, record, ...(whole ? { version: bookmark.version } : {}) });
                  }
                  records += page.items.length;
                  scanned += page.items.length;
                  bookmark.segments[String(p.segment)] = page.lastEvaluatedKey
                    ? { last_evaluated_key: keyToState(page.lastEvaluatedKey), records: scanned }
                    : { done: true, records: scanned };
                  text += formatMessage({ type: 'STATE', value: state });
                  await out.writeRaw(text);
                }
              } catch (error) {
                failed = true;
                throw error;
              }
              segmentLog.info('segment done', { records });
              logMetric(logger, { type: 'counter', metric: 'record_count', value: records, tags: { table, segment: p.segment } });
            }),
          ),
      );
      if (whole) {
        await out.write({ type: 'ACTIVATE_VERSION', stream: table, version: bookmark.version! });
        await out.write({ type: 'STATE', value: state });
        log.info('scan done', { version: bookmark.version });
      }
    }
    await out.end();
    return state;
  } finally {
    if (!options.client) client.destroy();
  }
}
