import { readFileSync } from 'node:fs';
import type { Writable } from 'node:stream';
import yargs, { type Argv } from 'yargs';
import { hideBin } from 'yargs/helpers';
import {
  aboutDocument,
  createLogger,
  InputError,
  logFailure,
  MessageWriter,
  parseJsonLossless,
  settingsHelp,
  UsageError,
  withSecretNames,
  type AboutDocument,
  type SettingSchema,
} from '@observes/protocol';
import { applySelection, buildCatalog, type Catalog } from '@observes/catalogs';
import { envPrefix, loadConfig } from './config.js';
import { createClock } from './clock.js';
import { HttpClient, type HttpClientOptions } from './http-client.js';
import { Metrics } from './metrics.js';
import { syncTap } from './sync-tap.js';
import type { TapDefinition } from './tap-definition.js';

/** Where a tap run reads and writes; defaults are the process's. Tests pass their own. */
export interface RunTapOptions {
  /** Singer messages go here; default `process.stdout`. */
  stdout?: Writable;
  /** Logs and METRIC lines go here; default `process.stderr`. */
  stderr?: (text: string) => void;
  /** Environment (config overrides, `OBSERVES_FROZEN_TIME`); default `process.env`. */
  env?: NodeJS.ProcessEnv;
  /** Overrides of the tap's HTTP options, e.g. `{ sleep: async () => {} }` so retries do not wait in tests. */
  http?: Partial<HttpClientOptions>;
  /** Sorted incremental streams checkpoint STATE every this many records; default 1000. */
  stateEvery?: number;
}

function readJsonFile(path: string, what: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new InputError(`cannot read ${what} file ${path}${(error as NodeJS.ErrnoException).code ? `: ${(error as NodeJS.ErrnoException).code}` : ''}`, {
      cause: error,
    });
  }
  try {
    return parseJsonLossless(text);
  } catch (error) {
    throw new InputError(`${what} file ${path} is not valid JSON`, { cause: error });
  }
}

function readCatalog(path: string): Catalog {
  const catalog = readJsonFile(path, 'catalog') as Catalog;
  if (!catalog || !Array.isArray(catalog.streams)) throw new Error(`catalog file ${path} must hold {"streams": [...]}`);
  return catalog;
}

/** The tap's settings declaration (with the names of the deprecated `secrets` list marked `secret: true`). */
export function tapSettings(tap: TapDefinition): SettingSchema {
  return withSecretNames(tap.configSchema, tap.secrets);
}

/** The `--about` document: what the tap is, what it can do and which settings it takes (from its declaration). */
export function aboutTap(tap: TapDefinition): AboutDocument {
  return aboutDocument({
    name: `tap-${tap.name}`,
    version: tap.version,
    description: tap.description ?? '',
    capabilities: ['catalog', 'discover', 'state', 'about'],
    settings: tapSettings(tap),
    envPrefix: envPrefix(tap.name),
    extra: {
      streams: tap.streams.map((s) => ({ name: s.name, replication: s.replicationKey ? `INCREMENTAL by ${s.replicationKey}` : 'FULL_TABLE' })),
      commands: Object.keys(tap.commands ?? {}),
    },
  });
}

/** Builds the `--discover` catalog of a tap. */
export function discoverTap(tap: TapDefinition): Catalog {
  return buildCatalog(tap.streams);
}

/**
 * Runs a tap's CLI: `--config`, `--state`, `--catalog`/`--properties`, `--discover`, `--about`, `--version`, `--help`,
 * `--record <dir>`, `--replay <dir>` and the tap's own subcommands. Errors are logged (secrets redacted) and give exit 2
 * when a rerun cannot fix them (bad config or usage, refused credentials, a 4xx other than 408/429), else exit 1.
 * @param argv - the full `process.argv` (node, script, arguments...)
 * @returns the exit code; when `options.stdout` is not given, it is also set as `process.exitCode`
 */
export async function runTap(tap: TapDefinition, argv: readonly string[] = process.argv, options: RunTapOptions = {}): Promise<number> {
  const stdout = options.stdout ?? process.stdout;
  const writeErr = options.stderr ?? ((text: string) => process.stderr.write(text));
  const env = options.env ?? process.env;
  const logger = createLogger({ name: `tap-${tap.name}`, write: writeErr });
  const metrics = new Metrics(logger);
  let code = 0;
  // Exit 2 for what a rerun cannot fix (bad config or usage, a 4xx other than 408/429), 1 otherwise.
  const fail = (error: unknown) => {
    code = logFailure(logger, error);
  };

  const setup = (args: Record<string, unknown>) => {
    const clock = createClock(env.OBSERVES_FROZEN_TIME || undefined);
    const config = loadConfig({ path: args.config as string | undefined, tapName: tap.name, schema: tapSettings(tap), env }) as Record<string, unknown>;
    const fromTap = typeof tap.http === 'function' ? tap.http(config) : (tap.http ?? {});
    const http = new HttpClient({
      ...fromTap,
      logger,
      metrics,
      ...(args.record ? { recordDir: args.record as string } : {}),
      ...(args.replay ? { replayDir: args.replay as string } : {}),
      ...options.http,
    });
    return { clock, config, http };
  };

  const globalOptions = (y: Argv) =>
    y
      .option('config', { type: 'string', describe: `JSON config file; settings can also come from ${envPrefix(tap.name)}<SETTING> variables` })
      .option('record', { type: 'string', describe: 'save every HTTP exchange into this directory (credentials scrubbed)' })
      .option('replay', { type: 'string', describe: 'answer HTTP requests from a --record directory, offline' })
      // Sync options are declared globally so that `--help` lists them even when the tap has subcommands.
      .option('state', { type: 'string', describe: 'state file from a previous run ({"bookmarks": ...} or a STATE message)' })
      .option('catalog', { type: 'string', describe: 'catalog file selecting streams and fields' })
      .option('properties', { type: 'string', describe: 'older name of --catalog' })
      .option('discover', { type: 'boolean', describe: 'print the catalog and exit' })
      .option('about', { type: 'boolean', describe: 'print what the tap is and its settings, as JSON, and exit' })
      .option('state-every', { type: 'number', describe: 'checkpoint sorted streams every N records', default: options.stateEvery ?? 1000 })
      .group(['state', 'catalog', 'properties', 'discover', 'about', 'state-every'], 'Sync (the default command):');

  let parser = globalOptions(yargs(hideBin([...argv])))
    .scriptName(`tap-${tap.name}`)
    .usage(`$0 [options]${tap.description ? `\n\n${tap.description}` : ''}`)
    .command(
      '$0',
      'sync the selected streams to stdout as Singer messages',
      (y) => y,
      async (args) => {
        try {
          if (args.about) return void stdout.write(JSON.stringify(aboutTap(tap), null, 2) + '\n');
          if (args.discover) return void stdout.write(JSON.stringify(discoverTap(tap), null, 2) + '\n');
          const catalogPath = args.catalog ?? args.properties;
          const selection = catalogPath ? applySelection(readCatalog(catalogPath)) : undefined;
          const state = args.state ? readJsonFile(args.state, 'state') : undefined;
          const { clock, config, http } = setup(args);
          const writer = new MessageWriter(stdout);
          await syncTap({ tap, config, http, selection, state, writer, logger, metrics, clock, stateEvery: args['state-every'] });
          await writer.end();
        } catch (error) {
          fail(error);
        }
      },
    )
    .epilogue(settingsHelp(tapSettings(tap), envPrefix(tap.name)))
    .version(tap.version)
    .help()
    .alias('h', 'help')
    .strict()
    .exitProcess(false)
    .fail((message, error) => {
      throw error ?? new UsageError(`${message} (see tap-${tap.name} --help)`);
    });

  for (const [name, command] of Object.entries(tap.commands ?? {})) {
    parser = parser.command(
      name,
      command.describe,
      (y) => y.options(command.options ?? {}),
      async (args) => {
        try {
          const { clock, config, http } = setup(args);
          await command.run({ config, http, logger, args, print: (line) => void stdout.write(line + '\n'), now: () => clock.now() });
        } catch (error) {
          fail(error);
        }
      },
    );
  }

  try {
    await parser.parseAsync();
  } catch (error) {
    fail(error);
  }
  if (!options.stdout) process.exitCode = code;
  return code;
}
