import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import {
  connectRunnerLink,
  createLogger,
  formatCommittedState,
  logFailure,
  MessageWriter,
  packageVersion,
  UsageError,
  withProgramFlags,
} from '@observes/protocol';
import type { S3Manifest } from '@observes/target-core';
import { createS3Client } from '@observes/state';
import { ENV_PREFIX, loadConfig, targetS3Settings } from './config.js';
import { S3Target } from './s3-target.js';

const logger = createLogger({ name: 'target-s3' });

const DESCRIPTION = 'Writes a Singer stream to S3 as gzip JSON lines or CSV, with a manifest; echoes STATE once the files before it are stored.';

const parser = yargs(hideBin(process.argv))
  .scriptName('target-s3')
  .usage(
    `$0 [--config <file>] < singer-stream\n\n${DESCRIPTION}\nEvery setting may also come from ${ENV_PREFIX}<SETTING> (e.g. ${ENV_PREFIX}BUCKET), over the file.`,
  )
  .option('config', { type: 'string', describe: 'Config JSON file (settings below)' })
  .option('period', { type: 'string', describe: "Backup period (e.g. 2026-11): replaces that period's file set" })
  .option('run-id', { type: 'string', describe: 'Run id used in keys and the manifest name' })
  .option('max-line-bytes', { type: 'number', describe: 'Longest accepted input line in bytes' })
  .option('committed-state', {
    type: 'boolean',
    describe: 'Print the last committed state ({} when none) and exit: tap --state <(target-s3 --config c.json --committed-state)',
  })
  .option('commit-record', { type: 'boolean', describe: 'Print the last committed state with its sequence and run as JSON (null when none) and exit' })
  .strict()
  .help()
  .fail((message, error) => {
    process.exit(logFailure(logger, error ?? new UsageError(`${message} (see target-s3 --help)`)));
  });
const args = await withProgramFlags(parser, {
  name: 'target-s3',
  version: packageVersion(new URL('../package.json', import.meta.url)),
  description: DESCRIPTION,
  capabilities: ['committed-state', 'about'],
  settings: targetS3Settings,
  envPrefix: ENV_PREFIX,
}).parseAsync();

/** Records per stream in the files the manifest lists: the rows of each stream's root table (CSV child tables hold list items). */
function recordsLoaded(manifest: S3Manifest): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [stream, { files }] of Object.entries(manifest.streams)) {
    const root = files.map((f) => f.table).sort((a, b) => a.length - b.length)[0];
    out[stream] = files.filter((f) => f.table === root).reduce((n, f) => n + f.rows, 0);
  }
  return out;
}

// First thing: a runner that is already gone must not get a load completed.
const link = args.committedState || args.commitRecord ? undefined : connectRunnerLink();
try {
  const config = loadConfig(args.config, { period: args.period, run_id: args['run-id'] });
  const client = createS3Client({ endpoint: config.endpoint, region: config.region });
  const target = new S3Target({
    config,
    client,
    output: new MessageWriter(process.stdout),
    logger,
    maxLineBytes: args['max-line-bytes'],
    inputComplete: link?.inputComplete,
  });
  if (!link) {
    process.stdout.write(formatCommittedState(await target.committedState(), Boolean(args.commitRecord)));
  } else {
    const manifest = await target.run(process.stdin);
    const files = Object.values(manifest.streams).reduce((n, s) => n + s.files.length, 0);
    if (files === 0 && manifest.state === undefined) logger.warn('empty input: no record and no STATE was read (did the tap write its messages to stdout?)');
    logger.info('done', { run_id: manifest.run_id, streams: Object.keys(manifest.streams).length, files, records_loaded: recordsLoaded(manifest) });
  }
  client.destroy();
} catch (error) {
  // 2 for a bad config (or a refused S3 request), 1 for bad input or an S3 failure a rerun may fix.
  process.exitCode = logFailure(logger, error);
}
