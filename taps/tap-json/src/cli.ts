import { createReadStream, readFileSync } from 'node:fs';
import { Writable } from 'node:stream';
import { applySelection, buildCatalog, type Catalog } from '@observes/catalogs';
import { openSchemaCache } from '@observes/catalogs/schema-cache';
import { ConfigError, createLogger, flagName, flagType, loadSettings, parseJsonLossless, typesOf, type SettingSchema } from '@observes/protocol';
import { envPrefix } from '@observes/tap-sdk/config';
import { packageVersion, standaloneTapCli } from '@observes/tap-sdk/standalone-cli';
import { runJsonTap } from './json-tap.js';
import { configSchema } from './tap-config.js';

const logger = createLogger({ name: 'tap-json' });
const version = packageVersion(new URL('../package.json', import.meta.url));

const settings = Object.entries(configSchema.properties ?? {}) as [string, SettingSchema][];

/** Settings given as flags, by config name (a list as a comma list); they override the config file and the environment. */
function flagOverrides(args: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, schema] of settings) {
    const value = args[flagName(name)];
    if (value === undefined) continue;
    out[name] = typesOf(schema).includes('array')
      ? String(value)
          .split(',')
          .map((k) => k.trim())
          .filter((k) => k !== '')
      : value;
  }
  return out;
}

/** Exit codes: 0 success, 1 bad input, bad config or a failed cache access, 2 usage error. */
let cli = standaloneTapCli({
  name: 'tap-json',
  version,
  about: {
    description: 'Singer streams from raw JSON lines, with schema inference and the schema cache',
    settings: configSchema,
    capabilities: ['discover', 'catalog', 'about'],
  },
});
// One flag per setting, described by its declaration (a list is a comma list).
for (const [name, schema] of settings) cli = cli.option(flagName(name), { type: flagType(schema) ?? 'string', describe: schema.description });

await cli
  .usage(
    '$0 [--config config.json] [options] < raw.jsonl > singer.jsonl\n\n' +
      'Turns JSON lines of raw objects (or {"stream","record"} envelopes, or Singer messages) into SCHEMA then RECORD messages.\n' +
      'Every option is also a config setting (--key-properties ↔ key_properties) and a TAP_JSON_<SETTING> variable.',
  )
  .option('config', { type: 'string', describe: 'JSON config file with the settings below (flags win)' })
  .option('catalog', { type: 'string', describe: 'Catalog file: only its selected streams are emitted' })
  .option('state', { type: 'string', describe: 'Accepted for Singer compatibility; tap-json keeps no bookmarks' })
  .option('discover', { type: 'boolean', default: false, describe: 'Infer the schemas and print them as a Singer catalog' })
  .command(
    '$0',
    false,
    () => {},
    async (args) => {
      // File and environment first, then the flags over them, validated again as a whole.
      const config = loadSettings(configSchema, { path: args.config, envPrefix: envPrefix('json'), overrides: flagOverrides(args) });
      if (config.use_cached_schema && !config.schema_cache)
        throw new ConfigError(['use_cached_schema (--use-cached-schema) needs schema_cache (--schema-cache)']);
      const catalog = args.catalog ? applySelection(parseJsonLossless(readFileSync(args.catalog, 'utf8')) as Catalog) : undefined;
      const streams = await runJsonTap(
        config.input ? createReadStream(config.input) : process.stdin,
        args.discover ? new Writable({ write: (_c, _e, done) => done() }) : process.stdout,
        {
          stream: config.stream,
          keyProperties: config.key_properties,
          schemaCache: config.schema_cache ? openSchemaCache(config.schema_cache, { endpoint: config.schema_cache_endpoint }) : undefined,
          useCachedSchema: config.use_cached_schema,
          onlySchema: config.only_schema || args.discover,
          raw: config.raw,
          spoolDir: config.spool_dir,
          maxLineBytes: config.max_line_bytes,
          selected: catalog && ((stream) => catalog.has(stream)),
        },
      );
      if (args.discover) {
        const catalogOut = buildCatalog(streams.map((s) => ({ name: s.schema.stream, schema: s.schema.schema, keyProperties: s.schema.key_properties })));
        process.stdout.write(JSON.stringify(catalogOut, null, 2) + '\n');
      }
      for (const s of streams) logger.info('stream done', { stream: s.schema.stream, records: s.records, schema: s.cached ? 'cached' : 'inferred' });
    },
  )
  .parseAsync();
