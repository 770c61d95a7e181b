import { createReadStream } from 'node:fs';
import type { Readable } from 'node:stream';
import type { Argv, CommandModule } from 'yargs';
import { formatSchemaChanges } from '@observes/catalogs';
import { openSchemaCache } from '@observes/catalogs/schema-cache';
import { diffWithCache, inferToCache } from '@observes/catalogs/schema-cache-jobs';
import { CliError } from './cli-error.js';

/** Arguments of `observes schema <infer|show|diff>`. */
export interface SchemaArgs {
  /** Schema cache URL (`s3://observes.cache/<name>/` or `file://dir`); default `OBSERVES_SCHEMA_CACHE`. */
  'schema-cache'?: string;
  /** JSON-lines file of raw records (infer, diff); stdin when absent or `-`. */
  file?: string;
  /** Stream name of bare objects (infer, diff), or the stream to show. */
  stream?: string;
  /** Comma-separated key properties (infer, diff). */
  'key-properties'?: string;
  /** Every line is a raw record of --stream (infer, diff). */
  raw?: boolean;
}

/** Where a command's output goes; the real streams by default, buffers in tests. */
export interface SchemaCommandIo {
  /** Input of `infer` and `diff` when no file is given. */
  stdin: Readable;
  /** The schema (`show`), what was saved (`infer`) or the changes (`diff`). */
  stdout: NodeJS.WritableStream;
  /** Problems, such as a stream the cache does not have. */
  stderr: NodeJS.WritableStream;
}

const processIo = (): SchemaCommandIo => ({ stdin: process.stdin, stdout: process.stdout, stderr: process.stderr });

function cacheOf(args: SchemaArgs) {
  const url = args['schema-cache'] ?? process.env.OBSERVES_SCHEMA_CACHE;
  if (!url) throw new CliError('give the schema cache: --schema-cache s3://observes.cache/<name>/ or file://dir (or OBSERVES_SCHEMA_CACHE)');
  return openSchemaCache(url);
}

function sourceOf(args: SchemaArgs, io: SchemaCommandIo) {
  return {
    input: args.file && args.file !== '-' ? createReadStream(args.file) : io.stdin,
    cache: cacheOf(args),
    stream: args.stream,
    keyProperties: args['key-properties']
      ?.split(',')
      .map((k) => k.trim())
      .filter((k) => k !== ''),
    raw: args.raw,
  };
}

/**
 * Runs one `observes schema` subcommand.
 * - `infer`: determines the schema of every stream of the file and saves it to the cache;
 * - `show`: prints the cached SCHEMA message of `--stream` (exit 1 when the cache has none);
 * - `diff`: compares a fresh inference of the file with the cache, one line per change (exit 1 when they differ).
 * @returns the exit code
 */
export async function runSchemaCommand(action: 'infer' | 'show' | 'diff', args: SchemaArgs, io: SchemaCommandIo = processIo()): Promise<number> {
  if (action === 'show') {
    const cache = cacheOf(args);
    const stream = args.stream ?? 'records';
    const entry = await cache.read(stream);
    if (!entry) {
      io.stderr.write(`no cached schema for stream ${JSON.stringify(stream)} at ${cache.location(stream)}\n`);
      return 1;
    }
    io.stdout.write(JSON.stringify(entry, null, 2) + '\n');
    return 0;
  }
  if (action === 'infer') {
    const source = sourceOf(args, io);
    const saved = await inferToCache(source);
    for (const s of saved)
      io.stdout.write(`saved schema of stream ${JSON.stringify(s.schema.stream)} (${s.records} records) to ${source.cache.location(s.schema.stream)}\n`);
    return 0;
  }
  let differs = false;
  for (const diff of await diffWithCache(sourceOf(args, io))) {
    const changed = diff.changes.length > 0 || diff.keyChanged;
    differs ||= changed;
    const status = !diff.cached ? 'not cached' : changed ? 'differs' : 'unchanged';
    io.stdout.write(`stream ${JSON.stringify(diff.stream)}: ${status} (${diff.location})\n`);
    if (diff.keyChanged) io.stdout.write('~ key properties changed\n');
    for (const line of formatSchemaChanges(diff.changes)) io.stdout.write(`${line}\n`);
  }
  return differs ? 1 : 0;
}

function withSourceOptions(yargs: Argv<SchemaArgs>): Argv<SchemaArgs> {
  return yargs
    .positional('file', { type: 'string', describe: 'JSON-lines file of raw records (default: stdin)' })
    .option('stream', { type: 'string', describe: 'Stream name of bare objects (default: records)' })
    .option('key-properties', { type: 'string', describe: 'Comma-separated key properties' })
    .option('raw', { type: 'boolean', describe: 'Every line is a raw record of --stream' }) as Argv<SchemaArgs>;
}

/** One `observes schema` subcommand, run by {@link runSchemaCommand}. */
function subcommand(
  action: 'infer' | 'show' | 'diff',
  command: string,
  describe: string,
  builder: (yargs: Argv<SchemaArgs>) => Argv<SchemaArgs>,
): CommandModule<object, SchemaArgs> {
  return {
    command,
    describe,
    builder: (y) => builder(y as Argv<SchemaArgs>) as never,
    handler: async (args) => {
      process.exitCode = await runSchemaCommand(action, args);
    },
  };
}

/** `observes schema infer|show|diff`: the schema cache (`observes.cache`) from the command line. */
export const schemaCommand: CommandModule<object, SchemaArgs> = {
  command: 'schema <command>',
  describe: 'Determine schemas from raw JSON lines and keep them in the schema cache',
  builder: (yargs) =>
    yargs
      .option('schema-cache', { type: 'string', describe: 'Schema cache URL: s3://bucket/prefix/ or file://dir (default: OBSERVES_SCHEMA_CACHE)' })
      .command(subcommand('infer', 'infer [file]', 'Infer the schema of each stream of a JSON-lines file and save it to the cache', withSourceOptions))
      .command(
        subcommand('show', 'show', "Print a stream's cached SCHEMA message", (y) =>
          y.option('stream', { type: 'string', describe: 'Stream to show (default: records)' }),
        ),
      )
      .command(subcommand('diff', 'diff [file]', 'Compare a fresh inference of a JSON-lines file with the cache (exit 1 when they differ)', withSourceOptions))
      .demandCommand(1, 'Give infer, show or diff') as never,
  handler: () => undefined,
};
