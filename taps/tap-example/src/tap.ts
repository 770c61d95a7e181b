import { defineStream, defineTap, compareReplicationValues, loadSchema } from '@observes/tap-sdk';
import { setting, type JsonRecord, type SettingsOf } from '@observes/protocol';
import { readFixture } from './fixture-reader.js';

/**
 * tap-example's settings, declared once (file, then `TAP_EXAMPLE_<SETTING>` environment overrides): the type, validation,
 * `--help`, `--about` and the README's table derive from it.
 */
export const exampleSettings = setting.object({
  path: setting.string({
    required: true,
    description: 'JSON-lines fixture file ({"stream","record"} lines) or directory of <stream>.jsonl files',
    examples: ['fixtures/example.jsonl'],
  }),
  start_date: setting.string({ format: 'date-time', description: 'first updated_at of orders on a first run (ISO 8601)' }),
});

/** The validated settings of tap-example. */
export type ExampleConfig = SettingsOf<typeof exampleSettings>;

const customers = defineStream<ExampleConfig>({
  name: 'customers',
  schema: loadSchema('tap-example', 'customers'),
  keyProperties: ['id'],
  // No replication key: FULL_TABLE, wrapped in ACTIVATE_VERSION by the SDK.
  async *records(ctx) {
    yield* readFixture(ctx.config.path, 'customers');
  },
});

const orders = defineStream<ExampleConfig>({
  name: 'orders',
  schema: loadSchema('tap-example', 'orders'),
  keyProperties: ['id'],
  replicationKey: 'updated_at',
  sortedByReplicationKey: true,
  async *records(ctx) {
    const since = ctx.bookmark ?? ctx.startDate;
    const selected: JsonRecord[] = [];
    for await (const order of readFixture(ctx.config.path, 'orders')) {
      // ≥, not >: records sharing the bookmark's timestamp may not all have been delivered.
      if (since === undefined || compareReplicationValues(order.updated_at as string, since) >= 0) selected.push(order);
    }
    // A real API would return them sorted; the fixture need not be, so sort to honour sortedByReplicationKey.
    selected.sort((a, b) => compareReplicationValues(a.updated_at as string, b.updated_at as string));
    yield* selected;
  },
});

/** tap-example: customers (full table) and orders (incremental by `updated_at`) from a JSON-lines fixture. */
export const tap = defineTap<ExampleConfig>({
  name: 'example',
  version: '0.1.0',
  description: 'Example tap over a JSON-lines fixture: the template for new taps',
  configSchema: exampleSettings,
  streams: [customers, orders],
});
