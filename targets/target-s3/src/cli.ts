import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { connectRunnerLink, createLogger, formatCommittedState, MessageWriter, ProtocolError, redact } from '@observes/protocol';
import { createS3Client } from '@observes/state';
import { ConfigError, loadConfig } from './config.js';
import { S3Target } from './s3-target.js';

const args = await yargs(hideBin(process.argv))
  .scriptName('target-s3')
  .usage('$0 --config <file> < singer-stream\n\nWrites a Singer stream to S3 as gzip JSON lines or CSV, with a manifest; echoes STATE once the files before it are stored.')
  .option('config', { type: 'string', demandOption: true, describe: 'Config JSON file (bucket, prefix, format…; see README)' })
  .option('period', { type: 'string', describe: 'Backup period (e.g. 2026-11): replaces that period\'s file set' })
  .option('run-id', { type: 'string', describe: 'Run id used in keys and the manifest name' })
  .option('max-line-bytes', { type: 'number', describe: 'Longest accepted input line in bytes' })
  .option('committed-state', { type: 'boolean', describe: 'Print the last committed state ({} when none) and exit: tap --state <(target-s3 --config c.json --committed-state)' })
  .option('commit-record', { type: 'boolean', describe: 'Print the last committed state with its sequence and run as JSON (null when none) and exit' })
  .strict()
  .help()
  .version(false)
  .parseAsync();

const logger = createLogger({ name: 'target-s3' });
// First thing: a runner that is already gone must not get a load completed.
const link = args.committedState || args.commitRecord ? undefined : connectRunnerLink();
try {
  const config = loadConfig(args.config, { period: args.period, run_id: args['run-id'] });
  const client = createS3Client({ endpoint: config.endpoint, region: config.region });
  const target = new S3Target({ config, client, output: new MessageWriter(process.stdout), logger, maxLineBytes: args['max-line-bytes'], inputComplete: link?.inputComplete });
  if (!link) {
    process.stdout.write(formatCommittedState(await target.committedState(), Boolean(args.commitRecord)));
  } else {
    const manifest = await target.run(process.stdin);
    const files = Object.values(manifest.streams).reduce((n, s) => n + s.files.length, 0);
    logger.info('done', { run_id: manifest.run_id, streams: Object.keys(manifest.streams).length, files });
  }
  client.destroy();
} catch (error) {
  if (error instanceof ConfigError || error instanceof ProtocolError) process.stderr.write(`target-s3: ${error.message}\n`);
  else logger.error('failed', { error: redact((error as Error).message) });
  process.exitCode = error instanceof ConfigError ? 2 : 1;
}
