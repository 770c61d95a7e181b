/**
 * A reference tap emitting `count` records of one stream `numbers`, bookmarked by id, so {@link tapSuite}
 * itself is tested against a tap known to be right. Config: `{"count": <integer>, "token": "<string>"}`.
 * @module
 */
import { readFileSync } from 'node:fs';
import { createLogger, MessageWriter } from '@observes/protocol';

const log = createLogger({ name: 'reference-tap' });
const schema = { type: 'object', properties: { id: { type: 'integer' }, label: { type: 'string' } } };
const args = process.argv.slice(2);
const option = (name: string) => (args.includes(name) ? args[args.indexOf(name) + 1] : undefined);
const readJson = (path: string) => JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;

async function main(): Promise<void> {
  if (args.includes('--help'))
    return void process.stdout.write('reference-tap --config <file> [--state <file>] [--catalog <file>] [--discover] [--about] [--version]\n');
  if (args.includes('--version')) return void process.stdout.write('0.1.0\n');
  if (args.includes('--about')) return void process.stdout.write(`${JSON.stringify({ name: 'reference-tap', settings: ['count', 'token'] })}\n`);
  const configPath = option('--config');
  if (!configPath) throw new Error('--config is required');
  const config = readJson(configPath);
  const problems = [
    Number.isInteger(config.count) ? undefined : 'count must be an integer',
    typeof config.token === 'string' ? undefined : 'token must be a string',
  ].filter(Boolean);
  if (problems.length) throw new Error(`invalid config: ${problems.join('; ')}`);
  if (args.includes('--discover')) {
    const catalog = {
      streams: [
        { tap_stream_id: 'numbers', stream: 'numbers', schema, metadata: [{ breadcrumb: [], metadata: { 'table-key-properties': ['id'], selected: true } }] },
      ],
    };
    return void process.stdout.write(`${JSON.stringify(catalog)}\n`);
  }
  const statePath = option('--state');
  const after = statePath ? Number((readJson(statePath).bookmarks as { numbers: { id: number } }).numbers.id) : 0;
  log.info('syncing', { after });
  const out = new MessageWriter(process.stdout);
  await out.write({ type: 'SCHEMA', stream: 'numbers', schema, key_properties: ['id'] });
  for (let id = after + 1; id <= (config.count as number); id++) await out.write({ type: 'RECORD', stream: 'numbers', record: { id, label: `n${id}` } });
  await out.write({ type: 'STATE', value: { bookmarks: { numbers: { id: Math.max(after, config.count as number) } } } });
  await out.end();
}

main().catch((error: unknown) => {
  log.error((error as Error).message);
  process.exitCode = 1;
});
