import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import type { Argv, CommandModule } from 'yargs';
import { createLogger, errorText, parseJsonLossless, serializeJson } from '@observes/protocol';
import { defaultStateUrl, openStateStore, type StateStore } from '@observes/state';
import { CliError } from './cli-error.js';
import { loadPipeline } from './pipeline-config.js';
import { formatTable } from './text-table.js';

const logger = createLogger({ name: 'observes' });

/** Arguments shared by the `observes state` subcommands. */
export interface StateArgs {
  /** Pipeline name or pipeline file. */
  pipeline: string;
  /** State URL, overriding the pipeline's. */
  url?: string;
  /** Unit of a phased pipeline (`<pipeline>.<step>[.<index>]`). */
  unit?: string;
}

/**
 * The state URL of a pipeline given by name (the default state of a pipeline file in the working
 * directory: `./.observes/state/<name>.json`) or by file (its `state`, relative paths being the file's
 * directory's, or the default next to the file), the same from any directory; `--url` wins. Phased
 * pipelines have one state per unit: pick with `unit`.
 */
export async function stateUrlOf(args: StateArgs): Promise<string> {
  if (args.url) return args.url;
  if (!/\.ya?ml$/i.test(args.pipeline) && !existsSync(args.pipeline)) {
    try {
      return defaultStateUrl(args.pipeline);
    } catch (error) {
      throw new CliError(errorText(error), 2, { cause: error });
    }
  }
  const pipeline = await loadPipeline(args.pipeline, { ignoreMissingEnv: true, resolveCommands: false });
  const units = pipeline.phases.flatMap((phase) => phase.units);
  if (units.length === 1 && !args.unit) return units[0].stateUrl;
  const unit = units.find((u) => u.name === args.unit);
  if (!unit) throw new CliError(`${args.pipeline} has several states; choose one with --unit: ${units.map((u) => u.name).join(', ')}`);
  return unit.stateUrl;
}

async function open(args: StateArgs): Promise<StateStore> {
  return openStateStore(await stateUrlOf(args));
}

const common = <T>(yargs: Argv<T>) =>
  yargs
    .positional('pipeline', { type: 'string', demandOption: true, describe: 'Pipeline name or pipeline YAML file' })
    .option('url', { type: 'string', describe: "State URL (s3://bucket/key or file://path), instead of the pipeline's" })
    .option('unit', { type: 'string', describe: 'Unit of a phased pipeline (<pipeline>.<step>[.<index>])' });

const show: CommandModule<object, StateArgs & { version?: string; record: boolean }> = {
  command: 'show <pipeline>',
  describe: 'Print the current state (or an earlier one with --version)',
  builder: (yargs) =>
    common(yargs)
      .option('version', { type: 'string', describe: 'History id (see `state history`)' })
      .option('record', { type: 'boolean', default: false, describe: 'Print the stored record: sequence, origin, run, time and value' }) as never,
  handler: async (args) => {
    const store = await open(args);
    if (args.record && !args.version) {
      const record = await store.readRecord();
      process.stdout.write(serializeJson(record ?? null) + '\n');
      if (!record) process.exitCode = 1;
      return;
    }
    const value = args.version ? await store.readVersion(args.version) : await store.read();
    if (value === undefined) {
      logger.error(`no state at ${store.url}`);
      process.exitCode = 1;
      return;
    }
    process.stdout.write(serializeJson(value) + '\n');
  },
};

const set: CommandModule<object, StateArgs & { json: string }> = {
  command: 'set <pipeline> <json>',
  describe:
    'Replace the state with JSON (a value, @file, or - for stdin); the next run resumes from it whatever the target committed; the old state goes to history',
  builder: (yargs) => common(yargs).positional('json', { type: 'string', demandOption: true, describe: 'JSON text, @file or -' }) as never,
  handler: async (args) => {
    const text = args.json === '-' ? await readStdin() : args.json.startsWith('@') ? await readFile(args.json.slice(1), 'utf8') : args.json;
    let value: unknown;
    try {
      value = parseJsonLossless(text);
    } catch (error) {
      throw new CliError('not valid JSON', 2, { cause: error });
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new CliError('a state must be a JSON object, e.g. {"bookmarks":{}}');
    const store = await open(args);
    await store.write(value);
    logger.info(`state saved to ${store.url}`);
  },
};

const clear: CommandModule<object, StateArgs> = {
  command: 'clear <pipeline>',
  describe: 'Clear the state: the next run starts from scratch whatever the target committed; the old state is kept in history',
  builder: (yargs) => common(yargs) as never,
  handler: async (args) => {
    const store = await open(args);
    await store.clear();
    logger.info(`state cleared at ${store.url}`);
  },
};

const history: CommandModule<object, StateArgs> = {
  command: 'history <pipeline>',
  describe: 'List earlier states, newest first, with the run that wrote each',
  builder: (yargs) => common(yargs) as never,
  handler: async (args) => {
    const store = await open(args);
    const versions = await store.history();
    const rows = versions.map((v) => [v.id, v.time, v.runId ?? '', v.sequence ?? '', v.origin ?? '', v.bytes]);
    process.stdout.write(`${store.url}\n${formatTable(['id', 'replaced at', 'written by run', 'sequence', 'origin', 'bytes'], rows)}`);
  },
};

const unlock: CommandModule<object, StateArgs> = {
  command: 'unlock <pipeline>',
  describe: 'Remove the lock a run holds on the state (only when that run is known to be dead)',
  builder: (yargs) => common(yargs) as never,
  handler: async (args) => {
    const store = await open(args);
    const holder = await store.forceUnlock();
    process.stderr.write(
      holder
        ? `removed the lock of run ${holder.run_id} (host ${holder.host}, since ${holder.started_at}) at ${store.url}.lock\n`
        : `no lock at ${store.url}.lock\n`,
    );
  },
};

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** `observes state show|set|clear|history|unlock <pipeline>` */
export const stateCommand: CommandModule = {
  command: 'state',
  describe: "Show, set, clear, list the history of or unlock a pipeline's state",
  builder: (yargs) => yargs.command(show).command(set).command(clear).command(history).command(unlock).demandCommand(1, 'Give a state subcommand'),
  handler: () => undefined,
};
